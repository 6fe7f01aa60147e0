namespace ZeroAllocCache;

/// <summary>
/// One slot of the entry pool. Everything the cache knows about an entry lives here, inline in one array:
/// no object is allocated per entry, and a lookup touches one slot.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal struct CacheEntry<TValue>
{
    public CacheKey Key;

    public TValue Value;

    /// <summary>The <see cref="TimeProvider"/> timestamp of the last <c>Put</c>; the entry's age is measured from it.</summary>
    public long Timestamp;

    /// <summary>How many lookups this entry has answered since it was stored.</summary>
    public int HitCount;

    /// <summary>The more recently used neighbour in the LRU list; <see cref="LruList.None"/> at the head.</summary>
    public int Previous;

    /// <summary>The less recently used neighbour in the LRU list, or the next free slot while the slot is free.</summary>
    public int Next;

    /// <summary>The next entry in the same <see cref="KeyIndex"/> bucket, as index + 1; 0 at the end of the chain.</summary>
    public int NextInBucket;

    /// <summary>The partition's id; 0 for the cache's own entries. Part of the entry's identity, with the key.</summary>
    public int Partition;

    /// <summary>The more recently used neighbour in the partition's own LRU list.</summary>
    public int PartitionPrevious;

    /// <summary>The less recently used neighbour in the partition's own LRU list.</summary>
    public int PartitionNext;

    /// <summary>The value's size in bytes as the cache's sizer estimated it; 0 without one.</summary>
    public long Size;

    /// <summary>
    /// The TTL the entry lives by, in <see cref="TimeSpan"/> ticks: its own, else the cache's, copied when it was stored
    /// so that a lookup reads one field; 0 for none.
    /// </summary>
    public long TtlTicks;

    /// <summary>Whether <see cref="TtlTicks"/> is the entry's own, rather than the cache's.</summary>
    public bool HasOwnTtl;

    /// <summary>
    /// What a hit leaves for the eviction policy: SIEVE's visited bit (0 or 1), S3-FIFO's frequency (0 to 3); unused by LRU.
    /// </summary>
    public byte Mark;

    /// <summary>Under S3-FIFO, whether the entry is in the main queue rather than the small one.</summary>
    public bool InMain;

    /// <summary>Under W-TinyLFU, the entry's segment: <see cref="WTinyLfuSegment"/>.</summary>
    public byte Segment;

    /// <summary>
    /// Under W-TinyLFU, how often the key was asked: its count in the history when it was stored, plus that request,
    /// plus every hit and replacement since.
    /// </summary>
    public int Frequency;

    /// <summary>
    /// The entry's version for lock-free readers (<see cref="EntryVersion"/>): odd while the entry is valid and
    /// unchanged, even while it is free or being written; it only ever grows.
    /// </summary>
    public int Version;
}
