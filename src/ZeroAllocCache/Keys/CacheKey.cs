using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using ZeroAllocCache.Hashing;

namespace ZeroAllocCache;

/// <summary>
/// The identity of a cached request: the 32-byte SHA-256 digest of its encoded fields.
/// </summary>
/// <remarks>
/// A key is a plain 32-byte value; it is cheap to copy, compare and store. Keys are produced by
/// <see cref="Create(string, string, string, float, int)"/> for the five classic request fields, by
/// <see cref="Create{TSource}(in TSource)"/> for any other shape, or restored from bytes saved earlier with
/// <see cref="FromBytes(ReadOnlySpan{byte})"/>.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct CacheKey : IEquatable<CacheKey>
{
    /// <summary>The size of a key in bytes.</summary>
    public const int SizeInBytes = 32;

    // The digest as four little-endian words: byte i of the digest is byte (i % 8) of word (i / 8).
    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;

    internal CacheKey(ulong word0, ulong word1, ulong word2, ulong word3)
    {
        _word0 = word0;
        _word1 = word1;
        _word2 = word2;
        _word3 = word3;
    }

    // The digest's bytes in order, as one 32-byte store on little-endian machines: a caller that then copies the key
    // with one 32-byte load gets it forwarded from the store, where four 8-byte stores would stall it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal CacheKey(Vector256<byte> digest)
    {
        if (BitConverter.IsLittleEndian)
        {
            Unsafe.As<CacheKey, Vector256<byte>>(ref this) = digest;
            return;
        }

        Span<byte> bytes = stackalloc byte[SizeInBytes];
        digest.CopyTo(bytes);
        this = new CacheKey(bytes);
    }

    // Callers guarantee digest.Length == SizeInBytes.
    internal CacheKey(ReadOnlySpan<byte> digest)
    {
        _word0 = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        _word1 = BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]);
        _word2 = BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]);
        _word3 = BinaryPrimitives.ReadUInt64LittleEndian(digest[24..]);
    }

    /// <summary>
    /// Creates the key of a chat request from its five classic fields.
    /// </summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature; <c>-0.0</c> and <c>0.0</c> give the same key, and so do all NaNs.</param>
    /// <param name="maxTokens">The maximum number of tokens to generate.</param>
    /// <returns>The key; equal field values always give equal keys.</returns>
    /// <exception cref="ArgumentNullException">A string argument is <see langword="null"/>.</exception>
    public static CacheKey Create(string userMessage, string systemPrompt, string model, float temperature, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(userMessage);
        ArgumentNullException.ThrowIfNull(systemPrompt);
        ArgumentNullException.ThrowIfNull(model);
        return ChatRequestKeySource.CreateKey(userMessage, systemPrompt, model, temperature, maxTokens);
    }

    /// <summary>
    /// Creates the key of any request shape that can write its fields into a <see cref="CacheKeyWriter"/>.
    /// </summary>
    /// <typeparam name="TSource">The request shape; a struct implementation is called without boxing.</typeparam>
    /// <param name="source">The request whose fields make the key.</param>
    /// <returns>The SHA-256 digest of the fields that <paramref name="source"/> wrote.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="source"/> abandoned the key (<see cref="CacheKeyWriter.Abandon"/>).</exception>
    /// <remarks>
    /// The fields are encoded into a stack buffer and streamed into SHA-256 (or, where libcrypto is unavailable,
    /// into a pooled buffer when they outgrow it), so creating a key allocates nothing once warm, whatever the size
    /// of the request.
    /// </remarks>
    public static CacheKey Create<TSource>(in TSource source)
        where TSource : ICacheKeySource =>
        Create(source, KeyHashingDefaults.Current);

    /// <summary>
    /// Creates the key of a request shape that may find it cannot be keyed faithfully, and then says so by calling
    /// <see cref="CacheKeyWriter.Abandon"/>.
    /// </summary>
    /// <typeparam name="TSource">The request shape; a struct implementation is called without boxing.</typeparam>
    /// <param name="source">The request whose fields make the key.</param>
    /// <param name="key">The key, unless the source abandoned it.</param>
    /// <returns><see langword="false"/> if <paramref name="source"/> called <see cref="CacheKeyWriter.Abandon"/>.</returns>
    public static bool TryCreate<TSource>(in TSource source, out CacheKey key)
        where TSource : ICacheKeySource
    {
        key = Compute(source, KeyHashingDefaults.Current, out bool abandoned);
        return !abandoned;
    }

    /// <summary>Creates a key with a chosen hashing backend; every backend gives the same key.</summary>
    /// <exception cref="InvalidOperationException">The source abandoned the key.</exception>
    /// <remarks>
    /// The body of <see cref="Compute"/> again, rather than a call to it: a key through a second frame, returned and
    /// checked there, measured several nanoseconds slower on the generated wrappers' hit path.
    /// </remarks>
    [SkipLocalsInit] // the writer overwrites what it uses: zeroing 2 KB of stack would cost more than a small key
    internal static CacheKey Create<TSource>(in TSource source, KeyHashing hashing)
        where TSource : ICacheKeySource
    {
        Span<byte> stackBuffer = stackalloc byte[KeyHashSink.StackBufferSize];
        CacheKeyWriter writer = new(stackBuffer, hashing);
        try
        {
            source.WriteTo(ref writer);
            if (writer.IsAbandoned)
            {
                ThrowAbandoned(typeof(TSource));
            }

            return writer.ComputeKey();
        }
        finally
        {
            writer.Dispose();
        }
    }

    [SkipLocalsInit] // as above
    private static CacheKey Compute<TSource>(in TSource source, KeyHashing hashing, out bool abandoned)
        where TSource : ICacheKeySource
    {
        Span<byte> stackBuffer = stackalloc byte[KeyHashSink.StackBufferSize];
        CacheKeyWriter writer = new(stackBuffer, hashing);
        try
        {
            source.WriteTo(ref writer);
            abandoned = writer.IsAbandoned;
            return abandoned ? default : writer.ComputeKey();
        }
        finally
        {
            writer.Dispose();
        }
    }

    [DoesNotReturn]
    private static void ThrowAbandoned(Type source) => throw new InvalidOperationException(
        $"{source.Name} abandoned its key (CacheKeyWriter.Abandon): use CacheKey.TryCreate for requests that may not be keyable.");

    /// <summary>Restores a key from the 32 bytes of its digest.</summary>
    /// <param name="digest">Exactly <see cref="SizeInBytes"/> bytes, as written by <see cref="CopyTo(Span{byte})"/>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not 32 bytes long.</exception>
    public static CacheKey FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != SizeInBytes)
        {
            throw new ArgumentException($"A cache key is exactly {SizeInBytes} bytes; got {digest.Length}.", nameof(digest));
        }

        return new CacheKey(digest);
    }

    /// <summary>Copies the 32 bytes of the digest into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="SizeInBytes"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (!TryCopyTo(destination))
        {
            throw new ArgumentException($"The destination must hold at least {SizeInBytes} bytes.", nameof(destination));
        }
    }

    /// <summary>Copies the 32 bytes of the digest into <paramref name="destination"/> if it is long enough.</summary>
    /// <param name="destination">The buffer to write to.</param>
    /// <returns><see langword="true"/> if the digest was written; <see langword="false"/> if the buffer is too short.</returns>
    public bool TryCopyTo(Span<byte> destination)
    {
        if (destination.Length < SizeInBytes)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _word1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _word2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _word3);
        return true;
    }

    /// <summary>
    /// The first 64 bits of the digest. SHA-256 output is uniform, so these bits index a hash table directly.
    /// </summary>
    internal ulong IndexBits => _word0;

    /// <inheritdoc/>
    public bool Equals(CacheKey other) =>
        _word0 == other._word0 && _word1 == other._word1 && _word2 == other._word2 && _word3 == other._word3;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is CacheKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)_word0;

    /// <summary>Returns the digest as 64 lowercase hexadecimal characters.</summary>
    /// <returns>The hexadecimal digest, for logs and storage keys.</returns>
    public override string ToString()
    {
        Span<byte> digest = stackalloc byte[SizeInBytes];
        TryCopyTo(digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Returns whether two keys are the same digest.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if the digests are equal.</returns>
    public static bool operator ==(CacheKey left, CacheKey right) => left.Equals(right);

    /// <summary>Returns whether two keys are different digests.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> if the digests differ.</returns>
    public static bool operator !=(CacheKey left, CacheKey right) => !left.Equals(right);
}
