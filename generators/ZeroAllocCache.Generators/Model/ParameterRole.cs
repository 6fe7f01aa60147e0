namespace ZeroAllocCache.Generators.Model;

/// <summary>What a parameter of a cached method is for.</summary>
internal enum ParameterRole
{
    /// <summary>Part of the cache key.</summary>
    Key,

    /// <summary>A <see cref="System.Threading.CancellationToken"/>: never part of the key.</summary>
    CancellationToken,

    /// <summary>Marked <c>[NotCacheKey]</c>: passed to the implementation, left out of the key.</summary>
    NotKey,

    /// <summary>Marked <c>[CachePartition]</c>: names the partition, passed to the implementation, left out of the key.</summary>
    Partition,
}
