namespace ZeroAllocCache.Demo.Replay;

/// <summary>The numbers of the summary table, worked out from the measurements and the cache's counters.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="Hits">Requests answered from the cache.</param>
/// <param name="Misses">Requests that called the model.</param>
/// <param name="ModelTimeSaved">The model time the hits did not spend.</param>
/// <param name="ModelTimeSpent">The model time the misses spent.</param>
/// <param name="InputTokensSaved">Prompt tokens not sent.</param>
/// <param name="OutputTokensSaved">Output tokens not generated.</param>
/// <param name="HitLatencyP50Nanoseconds">The median hit latency; <see langword="null"/> without hits.</param>
/// <param name="HitLatencyP99Nanoseconds">The 99th-percentile hit latency; <see langword="null"/> without hits.</param>
/// <param name="BytesPerHit">The mean bytes allocated by a hit; <see langword="null"/> without hits.</param>
/// <param name="Entries">Entries in the cache at the end.</param>
/// <param name="Capacity">The cache's capacity; 0 for unbounded.</param>
/// <param name="Evictions">Entries evicted to make room.</param>
/// <param name="Expirations">Entries found older than the TTL.</param>
/// <param name="Ttl">The TTL; <see langword="null"/> for none.</param>
/// <param name="DistributedHits">Hits answered from the distributed level; <see langword="null"/> when there was none.</param>
/// <param name="SnapshotEntriesLoaded">Entries loaded from a snapshot before the replay; <see langword="null"/> without <c>--snapshot</c>.</param>
/// <param name="EarlyHitRate">The hit rate of the first <see cref="ReplayMeasurements.EarlyRequests"/> requests.</param>
public sealed record ReplaySummary(
    long Requests,
    long Hits,
    long Misses,
    TimeSpan ModelTimeSaved,
    TimeSpan ModelTimeSpent,
    long InputTokensSaved,
    long OutputTokensSaved,
    double? HitLatencyP50Nanoseconds,
    double? HitLatencyP99Nanoseconds,
    double? BytesPerHit,
    int Entries,
    int Capacity,
    long Evictions,
    long Expirations,
    TimeSpan? Ttl,
    long? DistributedHits = null,
    int? SnapshotEntriesLoaded = null,
    double EarlyHitRate = 0)
{
    /// <summary>The share of requests answered from the cache, from 0 to 1; 0 without requests.</summary>
    public double HitRate => Requests == 0 ? 0d : (double)Hits / Requests;

    /// <summary>Model calls the cache made unnecessary: one per hit.</summary>
    public long ModelCallsSaved => Hits;

    /// <summary>Tokens not sent or generated.</summary>
    public long TokensSaved => InputTokensSaved + OutputTokensSaved;

    /// <summary>Works out the summary.</summary>
    /// <param name="measurements">What the replay observed.</param>
    /// <param name="stats">The cache's counters at the end.</param>
    /// <param name="capacity">The cache's capacity; 0 for unbounded.</param>
    /// <param name="ttl">The TTL; <see langword="null"/> for none.</param>
    /// <param name="distributed">Whether the caches had a distributed level.</param>
    /// <param name="snapshotEntriesLoaded">Entries loaded from a snapshot before the replay; <see langword="null"/> for none.</param>
    /// <returns>The summary.</returns>
    public static ReplaySummary From(ReplayMeasurements measurements, CacheStats stats, int capacity, TimeSpan? ttl, bool distributed = false, int? snapshotEntriesLoaded = null)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        double[] latencies = [.. measurements.HitLatenciesNanoseconds];
        Array.Sort(latencies);
        return new ReplaySummary(
            measurements.Requests,
            measurements.Hits,
            measurements.Misses,
            measurements.ModelTimeSaved,
            measurements.ModelTimeSpent,
            measurements.InputTokensSaved,
            measurements.OutputTokensSaved,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            measurements.MemoryHits == 0 ? null : (double)measurements.HitBytesAllocated / measurements.MemoryHits,
            stats.Size,
            capacity,
            stats.Evictions,
            stats.Expirations,
            ttl,
            distributed ? measurements.DistributedHits : null,
            snapshotEntriesLoaded,
            measurements.EarlyHitRate);
    }

    /// <summary>
    /// The nearest-rank percentile: the smallest value that at least <paramref name="fraction"/> of the values do not
    /// exceed.
    /// </summary>
    /// <param name="sorted">The values, in ascending order.</param>
    /// <param name="fraction">The percentile as a fraction, above 0 and at most 1.</param>
    /// <returns>The value; <see langword="null"/> when there are no values.</returns>
    public static double? Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (!(fraction is > 0d and <= 1d))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be above 0 and at most 1.");
        }

        if (sorted.Count == 0)
        {
            return null;
        }

        int rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
