namespace ZeroAllocCache;

/// <summary>
/// What a <see cref="CacheMetricsRegistration"/> reports from: a cache's counters or a <see cref="ModelCallSavings"/>.
/// Held weakly, so that a registration never keeps a cache or a client alive.
/// </summary>
internal abstract class MetricSource
{
    /// <summary>Reads the cache counters; <see langword="false"/> if this is not a cache or the cache was collected.</summary>
    public virtual bool TryReadStats(out CacheStats stats)
    {
        stats = default;
        return false;
    }

    /// <summary>Reads the savings; <see langword="null"/> if this is not a savings source or it was collected.</summary>
    public virtual ModelCallSavings? TryGetSavings() => null;

    /// <summary>Whether the object reported on is still alive.</summary>
    public abstract bool IsAlive { get; }
}

/// <summary>Reports the counters of one <see cref="ExactMatchCache{TValue}"/>.</summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class CacheMetricSource<TValue>(ExactMatchCache<TValue> cache) : MetricSource
{
    private readonly WeakReference<ExactMatchCache<TValue>> _cache = new(cache);

    public override bool IsAlive => _cache.TryGetTarget(out _);

    public override bool TryReadStats(out CacheStats stats)
    {
        if (_cache.TryGetTarget(out ExactMatchCache<TValue>? cache))
        {
            stats = cache.Stats;
            return true;
        }

        stats = default;
        return false;
    }
}

/// <summary>Reports one <see cref="ModelCallSavings"/>.</summary>
internal sealed class SavingsMetricSource(ModelCallSavings savings) : MetricSource
{
    private readonly WeakReference<ModelCallSavings> _savings = new(savings);

    public override bool IsAlive => _savings.TryGetTarget(out _);

    public override ModelCallSavings? TryGetSavings() => _savings.TryGetTarget(out ModelCallSavings? savings) ? savings : null;
}
