namespace ZeroAllocCache;

/// <summary>One entry of a snapshot as it is on disk, before its value is deserialized.</summary>
/// <param name="Key">The entry's key.</param>
/// <param name="Partition">The partition the entry belongs to, or <see langword="null"/> for the cache's own entries.</param>
/// <param name="Created">When the entry was stored, in UTC ticks.</param>
/// <param name="Expires">When the entry expires of itself, in UTC ticks, or 0 when only the cache's TTL applies.</param>
/// <param name="HitCount">How often the entry was hit.</param>
/// <param name="Payload">The serialized value: valid only until the next read from the same reader.</param>
internal readonly record struct SnapshotRecord(CacheKey Key, string? Partition, long Created, long Expires, int HitCount, ReadOnlyMemory<byte> Payload);
