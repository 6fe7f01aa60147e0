using System.Diagnostics;
using System.Globalization;

using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

using StackExchange.Redis;

using ZeroAllocCache.Demo.Models;
using ZeroAllocCache.Demo.Workload;
using ZeroAllocCache.Redis;

namespace ZeroAllocCache.Demo.Replay;

/// <summary>
/// <c>--redis</c>: the workload replayed through several replicas in one process, each with its own cache in memory
/// and its own connection to one Redis, the requests taking turns between them, and the model calls that cost set
/// against one process's.
/// </summary>
internal static class ReplicaReplay
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private const int BurstCallers = 5;

    public static async Task<int> RunAsync(
        DemoOptions options,
        string workloadPath,
        IReadOnlyList<WorkloadEntry> workload,
        IChatModel model,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        int requests = options.Requests ?? workload.Count;
        string redis = options.Redis!;

        // The same replay without Redis and without latency, in one process and in as many replicas each on its own:
        // the model calls that sharing Redis is measured against.
        long oneProcessCalls = await InMemoryModelCallsAsync(options, workload, requests, replicas: 1, cancellationToken).ConfigureAwait(false);
        long separateCalls = await InMemoryModelCallsAsync(options, workload, requests, options.Replicas, cancellationToken).ConfigureAwait(false);

        // The replay clock starts now, so that the entries' expiry times, which Redis enforces on its own clock, are ahead.
        ReplayClock clock = new(DateTimeOffset.UtcNow);
        string prefix = "zac-demo:" + Guid.NewGuid().ToString("N")[..8] + ":";
        string configuration = $"{redis},abortConnect=false,connectTimeout=3000";
        List<RedisCache> stores = [];
        List<IDisposable> connections = [];
        List<ExactMatchCache<ModelAnswer>> caches = [];
        try
        {
            for (int i = 0; i < options.Replicas; i++)
            {
                RedisCache store = new(Options.Create(new RedisCacheOptions { Configuration = configuration }));
                stores.Add(store);

                // Each replica its own connection and backplane, as separate processes would have.
                ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                RedisCacheBackplane backplane = new(multiplexer, prefix + "backplane");
                connections.Add(backplane);
                connections.Add(multiplexer);
                caches.Add(new ExactMatchCache<ModelAnswer>(new ExactMatchCacheOptions<ModelAnswer>
                {
                    Name = "demo",
                    Backplane = backplane,
                    MaxSize = options.Capacity,
                    Ttl = options.Ttl,
                    TimeProvider = clock,
                    DistributedCache = store,
                    DistributedKeyPrefix = prefix,
                    Serializer = new JsonCacheSerializer<ModelAnswer>(DemoJsonContext.Default.ModelAnswer),

                    // A Redis across a network, or on a busy laptop, answers slower than the defaults expect of a data
                    // centre; a replay should show sharing, not a skipped store.
                    DistributedTimeout = TimeSpan.FromSeconds(1),
                    DistributedRetryAfter = TimeSpan.FromSeconds(1),
                }));
            }

            // Every replica connects before the replay, so that no replica's first request pays for its connection.
            foreach (RedisCache store in stores)
            {
                if (await CannotReachAsync(store, prefix).ConfigureAwait(false) is { } reason)
                {
                    error.WriteLine($"error: cannot reach Redis at {redis}: {reason}");
                    return DemoApp.EndpointFailed;
                }
            }

            AssistantClient[] clients = [.. caches.Select(cache => new AssistantClient(model, cache))];
            output.WriteLine(Invariant(
                $"Replaying {SummaryTable.Count(requests)} requests from {Path.GetFileName(workloadPath)} ({DemoApp.Describe(workload)}) against {model.Description}."));
            output.WriteLine(Invariant(
                $"{options.Replicas} replicas share Redis at {redis} (keys under {prefix}), requests taking turns; each caches {(options.Capacity == 0 ? "without a bound" : SummaryTable.Count(options.Capacity) + " entries")} in memory, TTL {(options.Ttl is { } ttl ? DemoOptions.FormatDuration(ttl) : "off")}."));
            output.WriteLine();

            long started = Stopwatch.GetTimestamp();
            ReplayMeasurements measurements = await Replayer.RunAsync(
                clients,
                clock,
                workload,
                requests,
                progress => output.WriteLine(Replayer.ProgressLine(progress)),
                cancellationToken).ConfigureAwait(false);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

            CacheStats fleet = Sum(caches.Select(c => c.Stats));
            long modelCalls = clients.Sum(c => c.ModelCalls);
            output.WriteLine();
            SummaryTable.Write(output, ReplaySummary.From(measurements, fleet, options.Capacity * options.Replicas, options.Ttl, distributed: true));
            output.WriteLine();
            output.WriteLine(Invariant($"Model calls: {SummaryTable.Count(modelCalls)} for {options.Replicas} replicas sharing Redis; without Redis, {SummaryTable.Count(separateCalls)} for {options.Replicas} replicas and {SummaryTable.Count(oneProcessCalls)} for one process."));
            output.WriteLine(Invariant($"Replayed in {SummaryTable.Duration(elapsed)}; Redis errors {SummaryTable.Count(fleet.DistributedErrors)}; backplane messages received {SummaryTable.Count(fleet.BackplaneMessagesReceived)}."));

            // Concurrency the sequential replay does not have: one new request from every replica at once.
            int burstCalls = await BurstAsync(clients, workload, cancellationToken).ConfigureAwait(false);
            output.WriteLine(Invariant($"Burst: a new request asked by {BurstCallers} callers on each of the {options.Replicas} replicas at once cost {SummaryTable.Count(burstCalls)} model call{(burstCalls == 1 ? "" : "s")} in the fleet."));
            return DemoApp.Success;
        }
        finally
        {
            foreach (ExactMatchCache<ModelAnswer> cache in caches)
            {
                await cache.DisposeAsync().ConfigureAwait(false);
            }

            foreach (RedisCache store in stores)
            {
                store.Dispose();
            }

            foreach (IDisposable connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private static async Task<long> InMemoryModelCallsAsync(
        DemoOptions options, IReadOnlyList<WorkloadEntry> workload, int requests, int replicas, CancellationToken cancellationToken)
    {
        ReplayClock clock = new(DemoApp.RecordingStart);
        SimulatedModel model = new(TimeSpan.Zero);
        AssistantClient[] clients = [.. Enumerable.Range(0, replicas).Select(_ => new AssistantClient(model, new ExactMatchCache<ModelAnswer>(options.Capacity, options.Ttl, clock)))];
        await Replayer.RunAsync(clients, clock, workload, requests, progress: null, cancellationToken).ConfigureAwait(false);
        return clients.Sum(c => c.ModelCalls);
    }

    // The workload's first request with a message no one asked before, from every caller of every replica at once.
    private static async Task<int> BurstAsync(AssistantClient[] clients, IReadOnlyList<WorkloadEntry> workload, CancellationToken cancellationToken)
    {
        ChatRequest request = workload[0].Request with { UserMessage = "A burst: " + Guid.NewGuid().ToString("N") };
        long before = clients.Sum(c => c.ModelCalls);
        TaskCompletionSource start = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task[] callers = [.. clients.SelectMany(client => Enumerable.Range(0, BurstCallers).Select(_ => Task.Run(async () =>
        {
            await start.Task.ConfigureAwait(false);
            await client.AskAsync(request, cancellationToken).ConfigureAwait(false);
        }, cancellationToken)))];
        start.SetResult();
        await Task.WhenAll(callers).ConfigureAwait(false);
        return (int)(clients.Sum(c => c.ModelCalls) - before);
    }

    // A round trip before the replay, so that a wrong address is one clear line rather than a replay of misses.
    private static async Task<string?> CannotReachAsync(RedisCache store, string prefix)
    {
        try
        {
            await store.GetAsync(prefix + "!ping").WaitAsync(ConnectTimeout).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            return $"no answer within {ConnectTimeout.TotalSeconds:0} s.";
        }
        catch (Exception failure) when (failure is StackExchange.Redis.RedisException or IOException or System.Net.Sockets.SocketException)
        {
            return failure.Message.Split('\n')[0].Trim();
        }
    }

    private static CacheStats Sum(IEnumerable<CacheStats> all)
    {
        CacheStats total = default;
        foreach (CacheStats stats in all)
        {
            total = new CacheStats(total.Hits + stats.Hits, total.Misses + stats.Misses, total.Size + stats.Size, total.Evictions + stats.Evictions, total.Expirations + stats.Expirations)
            {
                DistributedHits = total.DistributedHits + stats.DistributedHits,
                DistributedMisses = total.DistributedMisses + stats.DistributedMisses,
                DistributedErrors = total.DistributedErrors + stats.DistributedErrors,
                DistributedWritesDropped = total.DistributedWritesDropped + stats.DistributedWritesDropped,
                BackplaneMessagesReceived = total.BackplaneMessagesReceived + stats.BackplaneMessagesReceived,
                BackplaneResyncs = total.BackplaneResyncs + stats.BackplaneResyncs,
            };
        }

        return total;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
