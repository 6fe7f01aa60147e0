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
}
