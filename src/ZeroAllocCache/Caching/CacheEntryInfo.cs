namespace ZeroAllocCache;

/// <summary>What the cache knows about one stored entry, read without counting as a lookup.</summary>
/// <param name="HitCount">
/// How many lookups the entry has answered since it was last stored. Under <see cref="CacheEvictionPolicy.Sieve"/> and
/// <see cref="CacheEvictionPolicy.S3Fifo"/>, whose hits take no lock, it stops at 1,000 and may miss a hit that raced
/// another.
/// </param>
/// <param name="Age">The time since the entry was last stored.</param>
/// <param name="IsExpired">Whether the entry is older than the cache's TTL; the next lookup will remove it.</param>
public readonly record struct CacheEntryInfo(int HitCount, TimeSpan Age, bool IsExpired);
