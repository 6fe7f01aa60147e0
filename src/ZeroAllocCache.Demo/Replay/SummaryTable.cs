using System.Globalization;

namespace ZeroAllocCache.Demo.Replay;

/// <summary>Writes a <see cref="ReplaySummary"/> as the aligned table the demo ends with, and the values in it.</summary>
public static class SummaryTable
{
    /// <summary>Writes the table.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="summary">The numbers.</param>
    public static void Write(TextWriter output, ReplaySummary summary)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(summary);

        long modelCalls = summary.Requests - summary.ModelCallsSaved;
        List<(string Label, string Value, string Note)> rows =
        [
            ("requests", Count(summary.Requests), ""),
            ("hits", Count(summary.Hits), summary.DistributedHits is { } fromRedis
                ? $"{Count(summary.Hits - fromRedis)} in memory + {Count(fromRedis)} from Redis"
                : ""),
            ("misses", Count(summary.Misses), ""),
            ("hit rate", Percent(summary.HitRate), ""),
            ("model calls saved", Count(summary.ModelCallsSaved), $"{Count(modelCalls)} model calls made for {Count(summary.Requests)} requests"),
            ("model time saved", Duration(summary.ModelTimeSaved), $"the calls made took {Duration(summary.ModelTimeSpent)}"),
            ("tokens saved", Count(summary.TokensSaved), $"{Count(summary.InputTokensSaved)} prompt + {Count(summary.OutputTokensSaved)} output"),
            ("hit latency p50", Latency(summary.HitLatencyP50Nanoseconds), summary.DistributedHits is null ? "" : "memory hits"),
            ("hit latency p99", Latency(summary.HitLatencyP99Nanoseconds), summary.DistributedHits is null ? "" : "memory hits"),
            ("bytes allocated per hit", Bytes(summary.BytesPerHit), summary.DistributedHits is null ? "" : "memory hits"),
            ("entries", Count(summary.Entries), summary.Capacity == 0 ? "capacity unbounded" : $"capacity {Count(summary.Capacity)}"),
            ("evictions", Count(summary.Evictions), ""),
            ("expirations", Count(summary.Expirations), summary.Ttl is { } ttl ? $"TTL {DemoOptions.FormatDuration(ttl)} on the workload's clock" : "no TTL"),
        ];

        if (summary.SnapshotEntriesLoaded is { } loaded)
        {
            rows.Insert(0, ("loaded from snapshot", Count(loaded), loaded == 0 ? "a cold start" : "entries, before the first request"));
            rows.Insert(5, (
                Invariant($"hit rate, first {ReplayMeasurements.EarlyRequests}"),
                Percent(summary.EarlyHitRate),
                loaded == 0 ? "cold" : "warm"));
        }

        int labelWidth = rows.Max(row => row.Label.Length);
        int valueWidth = rows.Max(row => row.Value.Length);
        output.WriteLine("Summary");
        foreach ((string label, string value, string note) in rows)
        {
            string line = $"  {label.PadRight(labelWidth)}  {value.PadLeft(valueWidth)}";
            output.WriteLine(note.Length == 0 ? line : $"{line}   {note}");
        }
    }

    /// <summary>A whole number with thousands separators: <c>12,345</c>.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A fraction from 0 to 1 as a percentage with one decimal: <c>76.2%</c>.</summary>
    /// <param name="fraction">The fraction.</param>
    /// <returns>The text.</returns>
    public static string Percent(double fraction) =>
        (fraction * 100d).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>A model time in the unit that reads best: <c>850 ms</c>, <c>24.3 s</c>, <c>12.5 min</c>, <c>3.2 h</c>.</summary>
    /// <param name="duration">The time.</param>
    /// <returns>The text.</returns>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => Invariant($"{duration.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 2 } => Invariant($"{duration.TotalSeconds:0.0} s"),
        { TotalHours: < 2 } => Invariant($"{duration.TotalMinutes:0.0} min"),
        _ => Invariant($"{duration.TotalHours:0.0} h"),
    };

    /// <summary>A latency: <c>850 ns</c>, <c>1.42 µs</c>, <c>3.10 ms</c>; <c>n/a</c> without hits.</summary>
    /// <param name="nanoseconds">The latency.</param>
    /// <returns>The text.</returns>
    public static string Latency(double? nanoseconds) => nanoseconds switch
    {
        null => "n/a",
        < 1_000 => Invariant($"{nanoseconds:0} ns"),
        < 1_000_000 => Invariant($"{nanoseconds / 1_000:0.00} µs"),
        _ => Invariant($"{nanoseconds / 1_000_000:0.00} ms"),
    };

    /// <summary>A byte count: <c>0 B</c>, <c>12.5 B</c>; <c>n/a</c> without hits.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string Bytes(double? bytes) => bytes is { } value ? Invariant($"{value:0.#} B") : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
