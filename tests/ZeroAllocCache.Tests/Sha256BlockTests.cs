using System.Security.Cryptography;

using ZeroAllocCache.Hashing;

namespace ZeroAllocCache.Tests;

/// <summary>
/// The native backend compresses whole blocks and pads in managed code: together they must be SHA-256 for every
/// message length, including the lengths where the padding spills into a second block.
/// </summary>
public class Sha256BlockTests
{
    [Fact]
    public void Padding_and_native_block_compression_give_sha256_for_every_length_up_to_five_blocks()
    {
        Assert.True(NativeSha256.IsAvailable, "libcrypto must load here.");
        Random random = new(5);
        for (int length = 0; length <= 5 * Sha256Padding.BlockSize; length++)
        {
            byte[] message = new byte[length];
            random.NextBytes(message);
            byte[] blocks = new byte[length + Sha256Padding.MaximumLength];
            message.CopyTo(blocks, 0);

            int paddedLength = Sha256Padding.Append(blocks, length, length);
            Sha256State state = Sha256State.Initial;
            NativeSha256.CompressBlocks(ref state, blocks.AsSpan(0, paddedLength));
            byte[] digest = new byte[32];
            state.WriteDigest(digest);

            Assert.Equal(0, paddedLength % Sha256Padding.BlockSize);
            Assert.Equal(SHA256.HashData(message), digest);
        }
    }

    [Fact]
    public void Blocks_compressed_in_several_calls_give_the_same_state_as_in_one()
    {
        Assert.True(NativeSha256.IsAvailable, "libcrypto must load here.");
        byte[] blocks = new byte[40 * Sha256Padding.BlockSize];
        new Random(7).NextBytes(blocks);

        Sha256State whole = Sha256State.Initial;
        NativeSha256.CompressBlocks(ref whole, blocks);
        Sha256State pieces = Sha256State.Initial;
        NativeSha256.CompressBlocks(ref pieces, blocks.AsSpan(0, Sha256Padding.BlockSize));
        NativeSha256.CompressBlocks(ref pieces, blocks.AsSpan(Sha256Padding.BlockSize, 0));
        NativeSha256.CompressBlocks(ref pieces, blocks.AsSpan(Sha256Padding.BlockSize));

        Assert.Equal(Digest(whole), Digest(pieces));
    }

    [Fact]
    public void Inputs_past_the_short_call_limit_take_the_long_call_and_agree()
    {
        Assert.True(NativeSha256.IsAvailable, "libcrypto must load here.");
        byte[] message = new byte[100_000];
        new Random(9).NextBytes(message);
        byte[] blocks = new byte[message.Length + Sha256Padding.MaximumLength];
        message.CopyTo(blocks, 0);

        Sha256State state = Sha256State.Initial;
        NativeSha256.CompressBlocks(ref state, blocks.AsSpan(0, Sha256Padding.Append(blocks, message.Length, message.Length)));

        Assert.Equal(SHA256.HashData(message), Digest(state));
    }

    [Fact]
    public void A_state_becomes_the_digest_and_the_key_of_its_written_bytes_and_copies_word_for_word()
    {
        Random random = new(11);
        for (int round = 0; round < 100; round++)
        {
            Sha256State state = default;
            for (int word = 0; word < Sha256State.WordCount; word++)
            {
                state[word] = (uint)random.NextInt64();
            }

            Sha256State copy = default;
            Sha256State.Copy(in state, ref copy);

            Assert.Equal(Digest(state), ToArray(state.ToDigest()));
            Assert.Equal(CacheKey.FromBytes(Digest(state)), new CacheKey(state.ToDigest()));
            Assert.Equal(Digest(state), Digest(copy));
        }
    }

    private static byte[] ToArray(System.Runtime.Intrinsics.Vector256<byte> digest)
    {
        byte[] bytes = new byte[32];
        System.Runtime.Intrinsics.Vector256.CopyTo(digest, bytes);
        return bytes;
    }

    private static byte[] Digest(Sha256State state)
    {
        byte[] digest = new byte[32];
        state.WriteDigest(digest);
        return digest;
    }
}
