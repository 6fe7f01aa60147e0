using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ZeroAllocCache;

/// <summary>
/// The fast path of key encoding: most request text is ASCII, whose UTF-8 is its UTF-16 code units narrowed to bytes.
/// </summary>
/// <remarks>
/// <see cref="System.Text.Unicode.Utf8.FromUtf16"/> does the same with a setup cost of about 15 ns a call, which is
/// most of the encoding time of a short field; inlined vector loops take a few nanoseconds. Anything else falls back
/// to the general transcoder, from the first vector that holds a non-ASCII character.
/// </remarks>
internal static class AsciiNarrowing
{
    private const int CharsPerWord = sizeof(ulong) / sizeof(char);

    /// <summary>
    /// Narrows the leading ASCII characters of <paramref name="source"/> into <paramref name="destination"/> and
    /// returns how many it wrote: the whole source when it is all ASCII, otherwise a count at or before the first
    /// non-ASCII character.
    /// </summary>
    /// <param name="source">The characters.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NarrowLeadingAscii(ReadOnlySpan<char> source, Span<byte> destination)
    {
        Debug.Assert(destination.Length >= source.Length);
        ref ushort from = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(source));
        ref byte to = ref MemoryMarshal.GetReference(destination);
        int length = source.Length;

        if (Vector512.IsHardwareAccelerated && length >= Vector512<byte>.Count)
        {
            return NarrowVector512(ref from, ref to, length);
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            return NarrowVector256(ref from, ref to, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<byte>.Count)
        {
            return NarrowVector128(ref from, ref to, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<ushort>.Count)
        {
            return NarrowTwoOverlappingVectors(ref from, ref to, length);
        }

        if (BitConverter.IsLittleEndian && length >= CharsPerWord)
        {
            return NarrowTwoOverlappingWords(ref from, ref to, length);
        }

        return NarrowScalar(ref from, ref to, length);
    }

    // 64 characters a step; the last step overlaps the one before, so no scalar tail is needed.
    private static int NarrowVector512(ref ushort from, ref byte to, int length)
    {
        Vector512<ushort> nonAsciiBits = Vector512.Create((ushort)0xFF80);
        int last = length - Vector512<byte>.Count;
        for (int i = 0; ; i = Math.Min(i + Vector512<byte>.Count, last))
        {
            Vector512<ushort> lower = Vector512.LoadUnsafe(ref from, (nuint)i);
            Vector512<ushort> upper = Vector512.LoadUnsafe(ref from, (nuint)(i + Vector512<ushort>.Count));
            if (((lower | upper) & nonAsciiBits) != Vector512<ushort>.Zero)
            {
                return i;
            }

            Vector512.Narrow(lower, upper).StoreUnsafe(ref to, (nuint)i);
            if (i == last)
            {
                return length;
            }
        }
    }

    // 32 characters a step, as above.
    private static int NarrowVector256(ref ushort from, ref byte to, int length)
    {
        Vector256<ushort> nonAsciiBits = Vector256.Create((ushort)0xFF80);
        int last = length - Vector256<byte>.Count;
        for (int i = 0; ; i = Math.Min(i + Vector256<byte>.Count, last))
        {
            Vector256<ushort> lower = Vector256.LoadUnsafe(ref from, (nuint)i);
            Vector256<ushort> upper = Vector256.LoadUnsafe(ref from, (nuint)(i + Vector256<ushort>.Count));
            if (((lower | upper) & nonAsciiBits) != Vector256<ushort>.Zero)
            {
                return i;
            }

            Vector256.Narrow(lower, upper).StoreUnsafe(ref to, (nuint)i);
            if (i == last)
            {
                return length;
            }
        }
    }

    private static int NarrowVector128(ref ushort from, ref byte to, int length)
    {
        Vector128<ushort> nonAsciiBits = Vector128.Create((ushort)0xFF80);
        int last = length - Vector128<byte>.Count;
        for (int i = 0; ; i = Math.Min(i + Vector128<byte>.Count, last))
        {
            Vector128<ushort> lower = Vector128.LoadUnsafe(ref from, (nuint)i);
            Vector128<ushort> upper = Vector128.LoadUnsafe(ref from, (nuint)(i + Vector128<ushort>.Count));
            if (((lower | upper) & nonAsciiBits) != Vector128<ushort>.Zero)
            {
                return i;
            }

            Vector128.Narrow(lower, upper).StoreUnsafe(ref to, (nuint)i);
            if (i == last)
            {
                return length;
            }
        }
    }

    // 8 to 15 characters, such as a model name: the first 8 and the last 8.
    private static int NarrowTwoOverlappingVectors(ref ushort from, ref byte to, int length)
    {
        int last = length - Vector128<ushort>.Count;
        Vector128<ushort> head = Vector128.LoadUnsafe(ref from);
        Vector128<ushort> tail = Vector128.LoadUnsafe(ref from, (nuint)last);
        if (((head | tail) & Vector128.Create((ushort)0xFF80)) != Vector128<ushort>.Zero)
        {
            return 0;
        }

        Unsafe.WriteUnaligned(ref to, Vector128.Narrow(head, head).AsUInt64().ToScalar());
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, last), Vector128.Narrow(tail, tail).AsUInt64().ToScalar());
        return length;
    }

    // 4 to 7 characters, such as a short model name: the first 4 and the last 4, each read as one 64-bit word.
    private static int NarrowTwoOverlappingWords(ref ushort from, ref byte to, int length)
    {
        int last = length - CharsPerWord;
        ulong head = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref from));
        ulong tail = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref from, last)));
        if (((head | tail) & 0xFF80_FF80_FF80_FF80) != 0)
        {
            return 0;
        }

        Unsafe.WriteUnaligned(ref to, NarrowWord(head));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, last), NarrowWord(tail));
        return length;
    }

    // Four ASCII UTF-16 code units, little-endian in a word, to their four bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NarrowWord(ulong chars) =>
        (uint)((chars & 0xFF) | ((chars >> 8) & 0xFF00) | ((chars >> 16) & 0xFF_0000) | ((chars >> 24) & 0xFF00_0000));

    private static int NarrowScalar(ref ushort from, ref byte to, int length)
    {
        int i = 0;
        for (; i < length; i++)
        {
            ushort c = Unsafe.Add(ref from, i);
            if (c >= 0x80)
            {
                break;
            }

            Unsafe.Add(ref to, i) = (byte)c;
        }

        return i;
    }
}
