namespace ZeroAllocCache;

/// <summary>How a full cache chooses the entry to evict (<see cref="ExactMatchCacheOptions{TValue}.EvictionPolicy"/>).</summary>
public enum CacheEvictionPolicy
{
    /// <summary>
    /// Strict least recently used, the default: every hit moves its entry to the head of the list, and the entry at
    /// the tail goes.
    /// </summary>
    Lru = 0,

    /// <summary>
    /// SIEVE (Zhang et al., NSDI '24): entries in insertion order, a hit only marks its entry visited, and a hand moving
    /// from the oldest entry towards the newest evicts the first one not visited, clearing the marks it passes. One-off
    /// entries leave quickly; entries asked again stay.
    /// </summary>
    Sieve = 1,

    /// <summary>
    /// S3-FIFO (Yang et al., SOSP '23): new entries go to a small queue (a tenth of the capacity) and leave it unless
    /// asked again, which moves them to the main queue; the main queue gives entries asked again another round (a
    /// frequency of up to 3), and keys evicted from the small queue are remembered a while, so that one asked again
    /// soon after goes straight to the main queue.
    /// </summary>
    S3Fifo = 2,

    /// <summary>
    /// W-TinyLFU (Einziger, Friedman and Manes, 2017), with exact counts: new entries go to a small LRU window (a
    /// hundredth of the capacity); an entry leaving the window enters the main part only if its key was asked more often
    /// than the main part's next victim, counting the requests of keys evicted a while ago (the last four times the
    /// capacity are remembered). The main part is a segmented LRU: an entry asked again there is protected (up to 80% of
    /// it). The best at keeping what is asked most when popularity changes slowly. Its hits take the lock, as LRU's do.
    /// </summary>
    WTinyLfu = 3,
}
