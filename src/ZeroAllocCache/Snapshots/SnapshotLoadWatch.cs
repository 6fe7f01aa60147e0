namespace ZeroAllocCache;

/// <summary>
/// What happened to a cache while one of its snapshot loads was reading: the keys invalidated, the partitions
/// cleared and whether the whole cache was, so that the load does not bring them back. Read and written under the
/// cache's lock.
/// </summary>
internal sealed class SnapshotLoadWatch
{
    /// <summary>The keys invalidated since the load began, with their partitions' ids (0: the cache's own).</summary>
    public HashSet<(CacheKey Key, int Partition)> Removed { get; } = [];

    /// <summary>The ids of the partitions cleared since the load began.</summary>
    public HashSet<int> ClearedPartitions { get; } = [];

    /// <summary>Whether the cache was cleared (or its memory dropped) since the load began.</summary>
    public bool Cleared { get; set; }
}
