using System.Buffers.Binary;
using System.Runtime.CompilerServices;

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

    /// <summary>The state before any block: the initial hash value of FIPS 180-4, section 5.3.3.</summary>
    public static Sha256State Initial
    {
        get
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

    /// <summary>The digest as a key, without writing out its bytes: the same key as <see cref="WriteDigest"/>'s bytes give.</summary>
    public readonly CacheKey ToKey() =>
        new(Pair(this[0], this[1]), Pair(this[2], this[3]), Pair(this[4], this[5]), Pair(this[6], this[7]));

    /// <summary>Writes the digest: the words, big-endian, after the padded message's last block.</summary>
    public readonly void WriteDigest(Span<byte> digest)
    {
        for (int i = 0; i < WordCount; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest[(i * sizeof(uint))..], this[i]);
        }
    }

    // Two words written big-endian, read back as one little-endian 64-bit word of the key.
    private static ulong Pair(uint first, uint second) =>
        BinaryPrimitives.ReverseEndianness(first) | ((ulong)BinaryPrimitives.ReverseEndianness(second) << 32);
}
