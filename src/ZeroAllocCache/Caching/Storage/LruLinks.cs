namespace ZeroAllocCache;

/// <summary>Which pair of links an <see cref="LruList{TLinks}"/> threads through the entries.</summary>
internal interface ILruLinks
{
    static abstract ref int Previous<TValue>(ref CacheEntry<TValue> entry);

    static abstract ref int Next<TValue>(ref CacheEntry<TValue> entry);
}

/// <summary>The cache's own order, over every entry: what its bounds evict from.</summary>
internal readonly struct CacheOrder : ILruLinks
{
    public static ref int Previous<TValue>(ref CacheEntry<TValue> entry) => ref entry.Previous;

    public static ref int Next<TValue>(ref CacheEntry<TValue> entry) => ref entry.Next;
}

/// <summary>A partition's order, over its entries only: what its quotas evict from.</summary>
internal readonly struct PartitionOrder : ILruLinks
{
    public static ref int Previous<TValue>(ref CacheEntry<TValue> entry) => ref entry.PartitionPrevious;

    public static ref int Next<TValue>(ref CacheEntry<TValue> entry) => ref entry.PartitionNext;
}
