using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// The padding that ends every SHA-256 message (FIPS 180-4, section 5.1.1): a 1 bit, zeros, and the message's length
/// in bits as a big-endian 64-bit number, up to a whole number of 64-byte blocks.
/// </summary>
internal static class Sha256Padding
{
    public const int BlockSize = 64;

    /// <summary>The most bytes the padding adds: a marker byte, 63 zeros and the 8-byte length.</summary>
    public const int MaximumLength = BlockSize + sizeof(ulong);

    /// <summary>
    /// Pads the last bytes of a message where they lie, in <paramref name="blocks"/>, and returns the length of the
    /// whole blocks to compress.
    /// </summary>
    /// <param name="blocks">
    /// Starts on a block boundary of the message; holds its last bytes and at least <see cref="MaximumLength"/> bytes
    /// of room after them.
    /// </param>
    /// <param name="tailLength">How many of the message's last bytes <paramref name="blocks"/> holds.</param>
    /// <param name="messageLength">The whole message's length in bytes.</param>
    /// <returns>A multiple of <see cref="BlockSize"/>: <paramref name="tailLength"/> plus the padding.</returns>
    public static int Append(Span<byte> blocks, int tailLength, long messageLength)
    {
        int paddedLength = (tailLength + sizeof(byte) + sizeof(ulong) + BlockSize - 1) & ~(BlockSize - 1);

        // The whole room at once: a clear of constant size compiles to a few vector stores, and the length is
        // written over its end.
        Span<byte> padding = blocks.Slice(tailLength, MaximumLength);
        Unsafe.InitBlockUnaligned(ref padding[0], 0, MaximumLength);
        padding[0] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(blocks[(paddedLength - sizeof(ulong))..], (ulong)messageLength * 8);
        return paddedLength;
    }
}
