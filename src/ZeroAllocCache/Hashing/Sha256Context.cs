using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// The memory of an OpenSSL <c>SHA256_CTX</c>: eight state words, the bit count, a 64-byte block buffer and two
/// counters, 112 bytes in all (16 more are reserved as a margin). It holds no pointers, so a copy is a complete
/// snapshot of a hash in progress — which is what lets <see cref="HashPrefixTable"/> resume hashing after a
/// repeated prefix.
/// </summary>
[InlineArray(WordCount)]
internal struct Sha256Context
{
    public const int SizeInBytes = 128;

    private const int WordCount = SizeInBytes / sizeof(ulong);

    private ulong _word;
}
