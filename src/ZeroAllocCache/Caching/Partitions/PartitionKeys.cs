using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// The key a partition's entry goes under outside memory (the distributed store, the fleet's locks): the SHA-256 of a
/// domain, the partition's name with its length, and the entry's key. The length makes the encoding unambiguous
/// (<c>"a:b"</c> with one key never meets <c>"a"</c> with another), and the hash keeps a tenant's name out of the
/// store's key space.
/// </summary>
internal static class PartitionKeys
{
    private static ReadOnlySpan<byte> Domain => "ZeroAllocCache.Partition\0"u8;

    /// <summary>The key itself for the cache's own entries (no partition), else the partition's key for it.</summary>
    public static CacheKey Scoped(in CacheKey key, string? partition)
    {
        if (partition is null)
        {
            return key;
        }

        int nameLength = Encoding.UTF8.GetByteCount(partition);
        int length = Domain.Length + sizeof(int) + nameLength + CacheKey.SizeInBytes;
        byte[]? rented = null;
        Span<byte> input = length <= 512 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        Domain.CopyTo(input);
        BinaryPrimitives.WriteInt32LittleEndian(input[Domain.Length..], nameLength);
        Encoding.UTF8.GetBytes(partition, input[(Domain.Length + sizeof(int))..]);
        key.CopyTo(input[^CacheKey.SizeInBytes..]);
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        SHA256.HashData(input, digest);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return CacheKey.FromBytes(digest);
    }
}
