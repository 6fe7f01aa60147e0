using ZeroAllocCache.Demo.Replay;

namespace ZeroAllocCache.Demo.Tests;

public class SummaryTableTests
{
    [Fact]
    public void The_table_has_a_row_for_every_number_the_issue_lists_with_its_value()
    {
        var summary = new ReplaySummary(
            Requests: 3_000, Hits: 1_800, Misses: 1_200,
            ModelTimeSaved: TimeSpan.FromSeconds(14.2), ModelTimeSpent: TimeSpan.FromSeconds(9.5),
            InputTokensSaved: 100_000, OutputTokensSaved: 23_456,
            HitLatencyP50Nanoseconds: 1_420, HitLatencyP99Nanoseconds: 6_100, BytesPerHit: 0,
            Entries: 512, Capacity: 512, Evictions: 300, Expirations: 40, Ttl: TimeSpan.FromHours(1));
        using var output = new StringWriter();

        SummaryTable.Write(output, summary);

        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Summary", lines[0]);
        Assert.Equal(
            [
                "requests 3,000", "hits 1,800", "misses 1,200", "hit rate 60.0%",
                "model calls saved 1,800 1,200 model calls made for 3,000 requests",
                "model time saved 14.2 s the calls made took 9.5 s",
                "tokens saved 123,456 100,000 prompt + 23,456 output",
                "hit latency p50 1.42 µs", "hit latency p99 6.10 µs", "bytes allocated per hit 0 B",
                "entries 512 capacity 512", "evictions 300", "expirations 40 TTL 1h on the workload's clock",
            ],
            lines.Skip(1).Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    [Fact]
    public void Values_are_right_aligned_in_one_column()
    {
        var summary = new ReplaySummary(1, 1, 0, TimeSpan.Zero, TimeSpan.Zero, 0, 0, 5, 5, 0, 1, 0, 0, 0, null);
        using var output = new StringWriter();

        SummaryTable.Write(output, summary);

        string[] rows = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[1..];
        int valueEnd = rows[0].Length; // "requests" has no note: its value ends the line
        Assert.All(rows, row => Assert.NotEqual(' ', row[valueEnd - 1]));
        Assert.Contains(rows, row => row.EndsWith("capacity unbounded", StringComparison.Ordinal));
        Assert.Contains(rows, row => row.EndsWith("no TTL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.4, "0 ms")]
    [InlineData(850, "850 ms")]
    [InlineData(24_340, "24.3 s")]
    [InlineData(119_000, "119.0 s")]
    [InlineData(750_000, "12.5 min")]
    [InlineData(11_520_000, "3.2 h")]
    public void Durations_read_in_the_unit_that_fits(double milliseconds, string expected)
    {
        Assert.Equal(expected, SummaryTable.Duration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(null, "n/a")]
    [InlineData(850d, "850 ns")]
    [InlineData(1_424d, "1.42 µs")]
    [InlineData(3_100_000d, "3.10 ms")]
    public void Latencies_read_in_nanoseconds_microseconds_or_milliseconds(double? nanoseconds, string expected)
    {
        Assert.Equal(expected, SummaryTable.Latency(nanoseconds));
    }

    [Theory]
    [InlineData(null, "n/a")]
    [InlineData(0d, "0 B")]
    [InlineData(12.5, "12.5 B")]
    [InlineData(2.96, "3 B")]
    public void Bytes_per_hit_keep_one_decimal_when_it_matters(double? bytes, string expected)
    {
        Assert.Equal(expected, SummaryTable.Bytes(bytes));
    }

    [Theory]
    [InlineData(0d, "0.0%")]
    [InlineData(0.5881, "58.8%")]
    [InlineData(1d, "100.0%")]
    public void Percentages_keep_one_decimal(double fraction, string expected)
    {
        Assert.Equal(expected, SummaryTable.Percent(fraction));
    }
}
