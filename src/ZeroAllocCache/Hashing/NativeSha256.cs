using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// SHA-256's block compression through libcrypto's low-level <c>SHA256_Update</c>, which skips the EVP layer that
/// costs <see cref="System.Security.Cryptography.SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> about 400 ns a
/// call on Linux, and uses the CPU's SHA extensions where it has them. Probed once; <see cref="IsAvailable"/> is
/// <see langword="false"/> wherever the library or the symbol is missing (Windows, macOS, other Linux builds), and
/// callers then use the managed API.
/// </summary>
/// <remarks>
/// <para>
/// Only whole blocks are ever passed, so libcrypto never buffers: its context is rebuilt around the chaining words for
/// each call, and the padding is written by <see cref="Sha256Padding"/>. A key then costs one call, not
/// <c>Init</c> + <c>Update</c> + <c>Final</c>, and a stored state is 32 bytes.
/// </para>
/// <para>
/// The function is bound with <see cref="LibraryImportAttribute"/> to the name <c>libcrypto</c>, which this class's
/// DllImport resolver maps to the first of <c>libcrypto.so.3</c> and <c>libcrypto.so.1.1</c> that exports it. Calls
/// skip the GC transition when they are short (a bounded input), which is most of their cost for small requests.
/// A P/Invoke (unlike a call through a function pointer) also makes the JIT clear the upper halves of the vector
/// registers before the call: libcrypto's SHA code uses legacy SSE encodings, which run several times slower after
/// managed code has used 256-bit vectors.
/// </para>
/// </remarks>
internal static unsafe partial class NativeSha256
{
    // Hashing this many bytes takes about ten microseconds: short enough to run without a GC transition.
    private const int ShortInputLimit = 16 * 1024;

    private const string LibraryName = "libcrypto";

    private static readonly string[] LibraryFileNames = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"];

    private static readonly IntPtr s_library;

#pragma warning disable CA1810 // The probe must run once, in order, before the first call.
    static NativeSha256()
#pragma warning restore CA1810
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        foreach (string fileName in LibraryFileNames)
        {
            if (NativeLibrary.TryLoad(fileName, out IntPtr library) && NativeLibrary.TryGetExport(library, "SHA256_Update", out _))
            {
                s_library = library;
                break;
            }
        }

        if (s_library == IntPtr.Zero)
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(
                typeof(NativeSha256).Assembly,
                static (name, _, _) => name == LibraryName ? s_library : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            return; // a resolver for this assembly is already set: leave it alone and hash with the managed API
        }

        IsAvailable = SelfTestPasses();
    }

    /// <summary>Whether the native function was found and produces correct digests.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Compresses whole 64-byte blocks into <paramref name="state"/>.</summary>
    /// <param name="state">The chaining words, updated in place.</param>
    /// <param name="blocks">A multiple of <see cref="Sha256Padding.BlockSize"/> bytes.</param>
    // Never inlined: the JIT clears the vector registers' upper halves at the start of a method that makes a P/Invoke,
    // not before the call, so 256- or 512-bit code of a caller inlined in between (such as a constant-size clear)
    // would leave them dirty for libcrypto's SSE code, which then ran at half speed (measured).
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit] // the context's block buffer is never read: only whole blocks are passed
    public static void CompressBlocks(ref Sha256State state, ReadOnlySpan<byte> blocks)
    {
        Debug.Assert(blocks.Length % Sha256Padding.BlockSize == 0);
        if (blocks.IsEmpty)
        {
            return;
        }

        if (blocks.Length > ShortInputLimit)
        {
            CompressLongInput(ref state, blocks);
            return;
        }

        Unsafe.SkipInit(out OpenSslContext context);
        context.Start(state);
        fixed (byte* bytes = blocks)
        {
            _ = UpdateWithoutTransition(&context, bytes, (nuint)blocks.Length); // returns 1 whatever the input
        }

        context.CopyStateTo(ref state);
    }

    // Out of line: a call with a GC transition makes its caller set up a P/Invoke frame on every entry, which would
    // tax the short calls that every key makes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private static void CompressLongInput(ref Sha256State state, ReadOnlySpan<byte> blocks)
    {
        Unsafe.SkipInit(out OpenSslContext context);
        context.Start(state);
        fixed (byte* bytes = blocks)
        {
            _ = Update(&context, bytes, (nuint)blocks.Length); // returns 1 whatever the input
        }

        context.CopyStateTo(ref state);
    }

    [LibraryImport(LibraryName, EntryPoint = "SHA256_Update")]
    [SuppressGCTransition]
    private static partial int UpdateWithoutTransition(OpenSslContext* context, byte* data, nuint length);

    [LibraryImport(LibraryName, EntryPoint = "SHA256_Update")]
    private static partial int Update(OpenSslContext* context, byte* data, nuint length);

    // A library that exports the symbol but computes something else (or lays out its context differently) must never
    // produce keys: check known digests, of one block and of two, before trusting it.
    private static bool SelfTestPasses()
    {
        try
        {
            return DigestMatches("abc"u8) && DigestMatches("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8);
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    private static bool DigestMatches(ReadOnlySpan<byte> message)
    {
        Span<byte> blocks = stackalloc byte[Sha256Padding.BlockSize + Sha256Padding.MaximumLength];
        message.CopyTo(blocks);
        int paddedLength = Sha256Padding.Append(blocks, message.Length, message.Length);

        Sha256State state = Sha256State.Initial;
        CompressBlocks(ref state, blocks[..paddedLength]);
        Span<byte> digest = stackalloc byte[32];
        state.WriteDigest(digest);
        return digest.SequenceEqual(System.Security.Cryptography.SHA256.HashData(message));
    }

    /// <summary>
    /// The memory of OpenSSL's <c>SHA256_CTX</c>, a public struct of <c>openssl/sha.h</c> unchanged since 0.9.8: the
    /// chaining words, the bit count, a 64-byte block buffer (bytes 40 to 103, never read here), the buffer's fill
    /// and the digest length.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    private struct OpenSslContext
    {
        [FieldOffset(0)]
        public Sha256State State;

        [FieldOffset(32)]
        private uint _bitCountLow;

        [FieldOffset(36)]
        private uint _bitCountHigh;

        [FieldOffset(104)]
        private uint _bufferedBytes;

        [FieldOffset(108)]
        private uint _digestLength;

        // With nothing buffered, SHA256_Update compresses whole blocks straight from the input, touching only the
        // chaining words and the bit count (which the padding carries instead).
        public void Start(in Sha256State state)
        {
            Sha256State.Copy(in state, ref State);
            _bitCountLow = 0;
            _bitCountHigh = 0;
            _bufferedBytes = 0;
            _digestLength = 32;
        }

        public readonly void CopyStateTo(ref Sha256State state) => Sha256State.Copy(in State, ref state);
    }
}
