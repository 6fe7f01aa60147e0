using System.Diagnostics;

using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo.Replay;

/// <summary>How far a replay has come.</summary>
/// <param name="Done">Requests sent so far.</param>
/// <param name="Total">Requests to send.</param>
/// <param name="Hits">Requests answered from the cache so far.</param>
public readonly record struct ReplayProgress(int Done, int Total, long Hits);

/// <summary>
/// Sends a workload's requests through an <see cref="AssistantClient"/>, one after another at the workload's clock,
/// and measures each: a hit's latency and allocations, and what its answer cost when the model made it.
/// </summary>
public static class Replayer
{
    /// <summary>A progress report as the demo prints it: <c>  40%    1,200 / 3,000 requests   hit rate 55.1%</c>.</summary>
    /// <param name="progress">The report.</param>
    /// <returns>The line.</returns>
    public static string ProgressLine(ReplayProgress progress) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"  {progress.Done * 100 / progress.Total,3}%  {SummaryTable.Count(progress.Done),7} / {SummaryTable.Count(progress.Total)} requests   hit rate {SummaryTable.Percent((double)progress.Hits / progress.Done)}");

    /// <summary>How many progress reports a replay makes.</summary>
    public const int ProgressSteps = 10;

    /// <summary>Replays <paramref name="requests"/> requests of <paramref name="workload"/>.</summary>
    /// <param name="client">The client under test.</param>
    /// <param name="clock">The cache's clock, moved to each request's arrival time.</param>
    /// <param name="workload">The recorded requests.</param>
    /// <param name="requests">
    /// How many to send: the first ones, or the whole workload again and again when it holds fewer, with the clock
    /// going on.
    /// </param>
    /// <param name="progress">Told each tenth of the way.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>What the replay observed.</returns>
    public static Task<ReplayMeasurements> RunAsync(
        AssistantClient client,
        ReplayClock clock,
        IReadOnlyList<WorkloadEntry> workload,
        int requests,
        Action<ReplayProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return RunAsync([client], clock, workload, requests, progress, cancellationToken);
    }

    /// <summary>
    /// Replays <paramref name="requests"/> requests of <paramref name="workload"/> through several clients in turn,
    /// as a load balancer spreads them over replicas: request <c>i</c> goes to <c>clients[i % clients.Count]</c>.
    /// </summary>
    /// <param name="clients">The replicas' clients.</param>
    /// <param name="clock">The caches' clock, moved to each request's arrival time.</param>
    /// <param name="workload">The recorded requests.</param>
    /// <param name="requests">How many to send.</param>
    /// <param name="progress">Told each tenth of the way.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <returns>What the replay observed: a hit that completed before the call returned is a memory hit, one that
    /// completed later without a model call came from the distributed level.</returns>
    public static async Task<ReplayMeasurements> RunAsync(
        IReadOnlyList<AssistantClient> clients,
        ReplayClock clock,
        IReadOnlyList<WorkloadEntry> workload,
        int requests,
        Action<ReplayProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentOutOfRangeException.ThrowIfZero(clients.Count);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentOutOfRangeException.ThrowIfZero(workload.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(requests);

        var measurements = new ReplayMeasurements(requests);
        TimeSpan lap = LapLength(workload);
        int reported = 0;
        for (int i = 0; i < requests; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WorkloadEntry entry = workload[i % workload.Count];
            AssistantClient client = clients[i % clients.Count];
            clock.AdvanceTo(entry.At + (lap * (i / workload.Count)));

            long modelCalls = client.ModelCalls;
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            ValueTask<ModelAnswer> pending = client.AskAsync(entry.Request, cancellationToken);
            long ended = Stopwatch.GetTimestamp();
            long bytesAfter = GC.GetAllocatedBytesForCurrentThread();

            // A hit completes before the call returns, on this thread, without calling the model.
            if (pending.IsCompletedSuccessfully && client.ModelCalls == modelCalls)
            {
                double nanoseconds = (ended - started) * (1_000_000_000d / Stopwatch.Frequency);
                measurements.RecordHit(pending.Result, nanoseconds, bytesAfter - bytesBefore);
            }
            else
            {
                ModelAnswer answer = await pending.ConfigureAwait(false);
                if (client.ModelCalls == modelCalls)
                {
                    measurements.RecordDistributedHit(answer);
                }
                else
                {
                    measurements.RecordMiss(answer);
                }
            }

            int reached = (int)((long)(i + 1) * ProgressSteps / requests);
            if (reached > reported)
            {
                reported = reached;
                progress?.Invoke(new ReplayProgress(i + 1, requests, measurements.Hits));
            }
        }

        return measurements;
    }

    // A second pass over the workload starts one mean inter-arrival gap after the last request of the first.
    private static TimeSpan LapLength(IReadOnlyList<WorkloadEntry> workload)
    {
        TimeSpan span = workload[^1].At - workload[0].At;
        TimeSpan gap = workload.Count > 1 ? span / (workload.Count - 1) : TimeSpan.FromSeconds(1);
        return span + (gap > TimeSpan.Zero ? gap : TimeSpan.FromSeconds(1));
    }
}
