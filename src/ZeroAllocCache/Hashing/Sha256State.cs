using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// The eight 32-bit chaining words of SHA-256: everything a hash in progress remembers once the bytes it has seen
/// fill whole 64-byte blocks. 32 bytes, no pointers, so a copy is a complete snapshot — which is what lets
/// <see cref="HashPrefixTable"/> resume hashing after a repeated prefix.
/// </summary>
[InlineArray(WordCount)]
internal struct Sha256State
{
    public const int WordCount = 8;

    private uint _word;

    private static readonly Sha256State s_initial = CreateInitial();

    /// <summary>The state before any block: the initial hash value of FIPS 180-4, section 5.3.3.</summary>
    public static ref readonly Sha256State Initial => ref s_initial;

    /// <summary>The digest's 32 bytes in order, in a vector, without writing them out: the bytes <see cref="WriteDigest"/> writes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector256<byte> ToDigest()
    {
        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // Each word's bytes reversed, read as the two halves the state was last stored in (see Copy).
            Vector128<byte> bigEndianWords = Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
            ref byte words = ref Unsafe.As<Sha256State, byte>(ref Unsafe.AsRef(in this));
            Vector128<byte> low = Vector128.Shuffle(Vector128.LoadUnsafe(ref words), bigEndianWords);
            Vector128<byte> high = Vector128.Shuffle(Vector128.LoadUnsafe(ref words, 16), bigEndianWords);
            return Vector256.Create(low, high);
        }

        return DigestInSoftware();
    }

    // Out of line: the stack buffer would keep ToDigest from being inlined.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly Vector256<byte> DigestInSoftware()
    {
        Span<byte> digest = stackalloc byte[Vector256<byte>.Count];
        WriteDigest(digest);
        return Vector256.Create<byte>(digest);
    }

    /// <summary>
    /// Copies a state as two 16-byte moves, the width libcrypto's SHA code loads and stores the words with, so that
    /// every load is forwarded from the store before it.
    /// </summary>
    /// <remarks>
    /// A plain struct copy is one 32-byte move, which can be forwarded neither from two 16-byte stores nor into two
    /// 16-byte loads: the load waits until the store reaches the cache. It measured about 25 ns slower per key.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ref readonly Sha256State from, ref Sha256State to)
    {
        ref byte source = ref Unsafe.As<Sha256State, byte>(ref Unsafe.AsRef(in from));
        ref byte destination = ref Unsafe.As<Sha256State, byte>(ref to);
        Vector128.LoadUnsafe(ref source).StoreUnsafe(ref destination);
        Vector128.LoadUnsafe(ref source, 16).StoreUnsafe(ref destination, 16);
    }

    /// <summary>Writes the digest: the words, big-endian, after the padded message's last block.</summary>
    public readonly void WriteDigest(Span<byte> digest)
    {
        for (int i = 0; i < WordCount; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest[(i * sizeof(uint))..], this[i]);
        }
    }

    private static Sha256State CreateInitial()
    {
        Sha256State state = default;
        state[0] = 0x6A09E667;
        state[1] = 0xBB67AE85;
        state[2] = 0x3C6EF372;
        state[3] = 0xA54FF53A;
        state[4] = 0x510E527F;
        state[5] = 0x9B05688C;
        state[6] = 0x1F83D9AB;
        state[7] = 0x5BE0CD19;
        return state;
    }
}
