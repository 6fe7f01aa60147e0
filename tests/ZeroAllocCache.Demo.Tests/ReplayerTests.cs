using ZeroAllocCache.Demo.Models;
using ZeroAllocCache.Demo.Replay;
using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo.Tests;

public class ReplayerTests
{
    private static WorkloadEntry Entry(string question, TimeSpan at) =>
        new(at, new ChatRequest("Be brief.", "gpt-4o-mini", 0.2f, 300, ConversationHistory.Empty, question));

    private static (AssistantClient Client, ReplayClock Clock) NewClient(int capacity = 16, TimeSpan? ttl = null)
    {
        var clock = new ReplayClock(DateTimeOffset.UnixEpoch);
        var cache = new ExactMatchCache<ModelAnswer>(capacity, ttl, clock);
        return (new AssistantClient(new SimulatedModel(TimeSpan.Zero), cache), clock);
    }

    [Fact]
    public async Task Hits_and_misses_agree_with_the_cache_and_with_the_model_calls()
    {
        (AssistantClient client, ReplayClock clock) = NewClient();
        WorkloadEntry[] workload =
        [
            Entry("a", TimeSpan.Zero), Entry("b", TimeSpan.FromSeconds(1)), Entry("a", TimeSpan.FromSeconds(2)),
            Entry("a", TimeSpan.FromSeconds(3)), Entry("c", TimeSpan.FromSeconds(4)), Entry("b", TimeSpan.FromSeconds(5)),
        ];

        ReplayMeasurements measurements = await Replayer.RunAsync(client, clock, workload, workload.Length, null, CancellationToken.None);

        Assert.Equal(3, measurements.Hits);
        Assert.Equal(3, measurements.Misses);
        Assert.Equal(client.Stats.Hits, measurements.Hits);
        Assert.Equal(client.Stats.Misses, measurements.Misses);
        Assert.Equal(3, client.ModelCalls);
        Assert.Equal(3, measurements.HitLatenciesNanoseconds.Count);
        Assert.All(measurements.HitLatenciesNanoseconds, latency => Assert.True(latency > 0));
    }

    [Fact]
    public async Task The_TTL_runs_on_the_workload_clock_not_the_wall_clock()
    {
        (AssistantClient client, ReplayClock clock) = NewClient(ttl: TimeSpan.FromHours(1));
        WorkloadEntry[] workload =
        [
            Entry("a", TimeSpan.Zero), Entry("a", TimeSpan.FromMinutes(59)), Entry("a", TimeSpan.FromMinutes(121)),
        ];

        ReplayMeasurements measurements = await Replayer.RunAsync(client, clock, workload, workload.Length, null, CancellationToken.None);

        Assert.Equal(1, measurements.Hits);
        Assert.Equal(2, measurements.Misses);
        Assert.Equal(1, client.Stats.Expirations);
        Assert.Equal(TimeSpan.FromMinutes(121), clock.Elapsed);
    }

    [Fact]
    public async Task More_requests_than_the_workload_holds_replay_it_again_with_the_clock_going_on()
    {
        (AssistantClient client, ReplayClock clock) = NewClient(ttl: TimeSpan.FromMinutes(90));
        WorkloadEntry[] workload = [Entry("a", TimeSpan.Zero), Entry("b", TimeSpan.FromHours(1))];

        ReplayMeasurements measurements = await Replayer.RunAsync(client, clock, workload, requests: 5, null, CancellationToken.None);

        // Laps start one mean gap (1h) after the last request: a at 0h, b at 1h, a at 2h (expired), b at 3h (expired), a at 4h (expired).
        Assert.Equal(5, measurements.Requests);
        Assert.Equal(0, measurements.Hits);
        Assert.Equal(3, client.Stats.Expirations);
        Assert.Equal(TimeSpan.FromHours(4), clock.Elapsed);
    }

    [Fact]
    public async Task Fewer_requests_than_the_workload_holds_replay_the_first_ones()
    {
        (AssistantClient client, ReplayClock clock) = NewClient();
        WorkloadEntry[] workload = [Entry("a", TimeSpan.Zero), Entry("a", TimeSpan.FromSeconds(1)), Entry("b", TimeSpan.FromSeconds(2))];

        ReplayMeasurements measurements = await Replayer.RunAsync(client, clock, workload, requests: 2, null, CancellationToken.None);

        Assert.Equal(1, measurements.Hits);
        Assert.Equal(1, measurements.Misses);
    }

    [Fact]
    public async Task Progress_is_reported_each_tenth_of_the_way_and_at_the_end()
    {
        (AssistantClient client, ReplayClock clock) = NewClient();
        WorkloadEntry[] workload = [.. Enumerable.Range(0, 25).Select(i => Entry("q" + (i % 5), TimeSpan.FromSeconds(i)))];
        var reports = new List<ReplayProgress>();

        await Replayer.RunAsync(client, clock, workload, workload.Length, reports.Add, CancellationToken.None);

        Assert.Equal(Replayer.ProgressSteps, reports.Count);
        Assert.Equal(new ReplayProgress(25, 25, 20), reports[^1]);
        Assert.Equal(reports.Select(report => report.Done).Order(), reports.Select(report => report.Done));
    }

    [Fact]
    public async Task A_cancelled_replay_stops()
    {
        (AssistantClient client, ReplayClock clock) = NewClient();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Replayer.RunAsync(client, clock, [Entry("a", TimeSpan.Zero)], 1, null, cancellation.Token));
        Assert.Equal(0, client.ModelCalls);
    }
}
