namespace ZeroAllocCache;

/// <summary>
/// What a cache keeps for one partition: its id (stored in each of its entries), its own LRU order, its quota usage
/// and its counters. Read and written under the cache's lock.
/// </summary>
internal sealed class PartitionState(int id, string name)
{
    public int Id { get; } = id;

    public string Name { get; } = name;

    /// <summary>The partition's entries, most recently used first: what its quotas evict from.</summary>
    public LruList<PartitionOrder> Order = new();

    /// <summary>Under SIEVE and S3-FIFO, where the partition's own hand stopped: the next entry its quota looks at.</summary>
    public int Hand = LruList.None;

    public int Count;

    public long Bytes;

    public long Hits;

    public long Misses;

    public long Evictions;

    public long Expirations;

    public long Rejected;

    public CacheStats ToStats() => new(Hits, Misses, Count, Evictions, Expirations) { Rejected = Rejected, StoredBytes = Bytes };

    /// <summary>Forgets the entries (the cache has removed them or is dropping them all).</summary>
    public void Empty()
    {
        Order.Clear();
        Hand = LruList.None;
        Count = 0;
        Bytes = 0;
    }

    public void ResetCounters()
    {
        Hits = 0;
        Misses = 0;
        Evictions = 0;
        Expirations = 0;
        Rejected = 0;
    }
}
