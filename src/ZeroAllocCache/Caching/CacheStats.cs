namespace ZeroAllocCache;

/// <summary>A consistent snapshot of an <see cref="ExactMatchCache{TValue}"/>'s counters.</summary>
/// <param name="Hits">Lookups answered from the cache.</param>
/// <param name="Misses">Lookups that found no fresh entry (an expired entry counts as a miss).</param>
/// <param name="Size">Entries stored when the snapshot was taken, expired ones not yet read included.</param>
/// <param name="Evictions">Entries removed to make room for a new one.</param>
/// <param name="Expirations">Entries removed because a lookup found them older than the TTL.</param>
public readonly record struct CacheStats(long Hits, long Misses, int Size, long Evictions, long Expirations)
{
    /// <summary>The number of lookups: <see cref="Hits"/> plus <see cref="Misses"/>.</summary>
    public long Lookups => Hits + Misses;

    /// <summary>The share of lookups that hit, from 0 to 1; 0 when there were no lookups.</summary>
    public double HitRate => Lookups == 0 ? 0d : (double)Hits / Lookups;

    /// <summary>
    /// Values not stored because they are larger than the whole byte budget
    /// (<see cref="ExactMatchCacheOptions{TValue}.MaxBytes"/>), or than their partition's.
    /// </summary>
    public long Rejected { get; init; }

    /// <summary>
    /// The bytes of the values stored, as the cache's <see cref="ExactMatchCacheOptions{TValue}.SizeOf"/> estimates
    /// them; 0 without an estimate.
    /// </summary>
    public long StoredBytes { get; init; }

    /// <summary>Reads of the distributed level that found a fresh, valid entry (memory had missed).</summary>
    public long DistributedHits { get; init; }

    /// <summary>
    /// Reads of the distributed level that found nothing usable: no entry, an expired or cleared one, one that is not
    /// a valid entry of this cache, or a store that failed, timed out or was being skipped.
    /// </summary>
    public long DistributedMisses { get; init; }

    /// <summary>Calls to the distributed store that failed or timed out (reads and writes).</summary>
    public long DistributedErrors { get; init; }

    /// <summary>Background writes to the distributed store dropped because the write queue was full (or the cache disposed).</summary>
    public long DistributedWritesDropped { get; init; }

    /// <summary>Messages from other replicas applied to this cache's memory through the backplane.</summary>
    public long BackplaneMessagesReceived { get; init; }

    /// <summary>
    /// Times the backplane connection came back after an outage and the entries in memory were dropped, since messages
    /// sent meanwhile may have been lost.
    /// </summary>
    public long BackplaneResyncs { get; init; }
}
