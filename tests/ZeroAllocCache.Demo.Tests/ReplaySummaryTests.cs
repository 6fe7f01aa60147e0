using ZeroAllocCache.Demo.Replay;

namespace ZeroAllocCache.Demo.Tests;

public class ReplaySummaryTests
{
    private static ModelAnswer Answer(int input, int output, int milliseconds) =>
        new("answer", input, output, TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public void Savings_are_the_sums_of_what_the_hit_answers_cost_when_the_model_made_them()
    {
        var measurements = new ReplayMeasurements();
        measurements.RecordMiss(Answer(100, 50, 800));
        measurements.RecordHit(Answer(100, 50, 800), latencyNanoseconds: 2_000, bytesAllocated: 0);
        measurements.RecordHit(Answer(100, 50, 800), latencyNanoseconds: 3_000, bytesAllocated: 0);
        measurements.RecordMiss(Answer(40, 10, 300));
        measurements.RecordHit(Answer(40, 10, 300), latencyNanoseconds: 1_000, bytesAllocated: 30);

        ReplaySummary summary = ReplaySummary.From(measurements, new CacheStats(3, 2, 2, 0, 0), capacity: 10, ttl: null);

        Assert.Equal(5, summary.Requests);
        Assert.Equal(3, summary.Hits);
        Assert.Equal(2, summary.Misses);
        Assert.Equal(0.6, summary.HitRate, 10);
        Assert.Equal(3, summary.ModelCallsSaved);
        Assert.Equal(TimeSpan.FromMilliseconds(1_900), summary.ModelTimeSaved);
        Assert.Equal(TimeSpan.FromMilliseconds(1_100), summary.ModelTimeSpent);
        Assert.Equal(240, summary.InputTokensSaved);
        Assert.Equal(110, summary.OutputTokensSaved);
        Assert.Equal(350, summary.TokensSaved);
        Assert.Equal(10d, summary.BytesPerHit);
    }

    [Fact]
    public void Latency_percentiles_are_nearest_rank_over_the_hits()
    {
        var measurements = new ReplayMeasurements();
        // 1..100 µs in shuffled order: p50 is the 50th smallest, p99 the 99th.
        foreach (int microseconds in Enumerable.Range(1, 100).OrderBy(value => (value * 37) % 101))
        {
            measurements.RecordHit(Answer(1, 1, 1), latencyNanoseconds: microseconds * 1_000, bytesAllocated: 0);
        }

        ReplaySummary summary = ReplaySummary.From(measurements, default, capacity: 0, ttl: null);

        Assert.Equal(50_000d, summary.HitLatencyP50Nanoseconds);
        Assert.Equal(99_000d, summary.HitLatencyP99Nanoseconds);
    }

    [Theory]
    [InlineData(new double[] { 7 }, 0.5, 7)]
    [InlineData(new double[] { 7 }, 0.99, 7)]
    [InlineData(new double[] { 1, 2 }, 0.5, 1)]
    [InlineData(new double[] { 1, 2 }, 0.51, 2)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.99, 4)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 1.0, 4)]
    public void Percentile_is_the_smallest_value_that_the_fraction_of_values_does_not_exceed(double[] sorted, double fraction, double expected)
    {
        Assert.Equal(expected, ReplaySummary.Percentile(sorted, fraction));
    }

    [Fact]
    public void Percentile_of_no_values_is_null_and_a_fraction_outside_0_to_1_is_rejected()
    {
        Assert.Null(ReplaySummary.Percentile([], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplaySummary.Percentile([1d], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplaySummary.Percentile([1d], 1.01));
    }

    [Fact]
    public void Without_hits_the_rate_is_zero_and_hit_latency_and_bytes_are_absent()
    {
        var measurements = new ReplayMeasurements();
        measurements.RecordMiss(Answer(10, 10, 10));

        ReplaySummary summary = ReplaySummary.From(measurements, new CacheStats(0, 1, 1, 0, 0), capacity: 8, ttl: null);

        Assert.Equal(0d, summary.HitRate);
        Assert.Equal(0, summary.TokensSaved);
        Assert.Null(summary.HitLatencyP50Nanoseconds);
        Assert.Null(summary.HitLatencyP99Nanoseconds);
        Assert.Null(summary.BytesPerHit);
    }

    [Fact]
    public void Entries_evictions_and_expirations_come_from_the_cache_counters()
    {
        ReplaySummary summary = ReplaySummary.From(
            new ReplayMeasurements(), new CacheStats(Hits: 0, Misses: 0, Size: 12, Evictions: 34, Expirations: 5), capacity: 12, ttl: TimeSpan.FromMinutes(30));

        Assert.Equal(12, summary.Entries);
        Assert.Equal(12, summary.Capacity);
        Assert.Equal(34, summary.Evictions);
        Assert.Equal(5, summary.Expirations);
        Assert.Equal(TimeSpan.FromMinutes(30), summary.Ttl);
    }
}
