namespace ZeroAllocCache;

/// <summary>
/// A cache, or a <see cref="ModelCallSavings"/>, reported under a name by the <see cref="CacheMetrics"/> meter.
/// Dispose it to stop reporting.
/// </summary>
/// <remarks>
/// A registration holds what it reports on weakly: a cache or savings object that is garbage collected stops being
/// reported even if the registration is never disposed.
/// </remarks>
public sealed class CacheMetricsRegistration : IDisposable
{
    internal CacheMetricsRegistration(string name, MetricSource source)
    {
        Name = name;
        Source = source;
    }

    /// <summary>The name reported in the <see cref="CacheMetrics.CacheNameTag"/> tag.</summary>
    public string Name { get; }

    /// <summary>Whether <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed { get; private set; }

    internal MetricSource Source { get; }

    /// <summary>Stops reporting. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (!IsDisposed)
        {
            IsDisposed = true;
            CacheMetrics.Unregister(this);
        }
    }
}
