namespace ZeroAllocCache;

/// <summary>
/// What happened to a cache while one of its snapshot loads was reading: the keys invalidated and whether it was
/// cleared, so that the load does not bring them back. Read and written under the cache's lock.
/// </summary>
internal sealed class SnapshotLoadWatch
{
    /// <summary>The keys invalidated since the load began.</summary>
    public HashSet<CacheKey> Removed { get; } = [];

    /// <summary>Whether the cache was cleared (or its memory dropped) since the load began.</summary>
    public bool Cleared { get; set; }
}
