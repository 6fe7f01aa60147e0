using ZeroAllocCache.Demo.Models;
using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo.Sweep;

/// <summary>One replay's result: a policy at a capacity.</summary>
/// <param name="Policy">The eviction policy.</param>
/// <param name="Capacity">The cache's <c>MaxSize</c>.</param>
/// <param name="Hits">Requests answered from the cache.</param>
/// <param name="Requests">Requests replayed.</param>
public sealed record SweepPoint(CacheEvictionPolicy Policy, int Capacity, long Hits, long Requests)
{
    /// <summary>The share of requests that missed, from 0 to 1.</summary>
    public double MissRatio => Requests == 0 ? 0 : 1d - ((double)Hits / Requests);

    /// <summary>The share of requests that hit, from 0 to 1.</summary>
    public double HitRatio => 1d - MissRatio;
}

/// <summary>
/// Replays a workload's requests, as a cache-aside client would (look up; on a miss, store the answer), at a range of
/// capacities under each eviction policy, each replay on a cache of its own, in parallel. Only the cache's behaviour
/// is measured: answers come from the simulated model at no latency, and the clock is the workload's.
/// </summary>
public static class CapacitySweep
{
    /// <summary>The capacities tried, as fractions of the workload's distinct requests.</summary>
    public static IReadOnlyList<double> Fractions { get; } = [0.01, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50, 0.65, 0.80, 1.00];

    /// <summary>The policies compared.</summary>
    public static IReadOnlyList<CacheEvictionPolicy> Policies { get; } = [CacheEvictionPolicy.Lru, CacheEvictionPolicy.Sieve, CacheEvictionPolicy.S3Fifo, CacheEvictionPolicy.WTinyLfu];

    /// <summary>The capacities for a workload of <paramref name="distinctRequests"/> distinct requests, at least 1 each, without repeats.</summary>
    public static int[] CapacitiesFor(int distinctRequests) =>
        [.. Fractions.Select(f => Math.Max(1, (int)Math.Round(distinctRequests * f))).Distinct()];

    /// <summary>Runs every replay.</summary>
    /// <param name="workload">The requests.</param>
    /// <param name="ttl">The cache's TTL on the workload's clock, or <see langword="null"/>.</param>
    /// <param name="progress">Told after each replay: done, total.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <returns>The results and the answers' mean retained size in bytes.</returns>
    public static async Task<(IReadOnlyList<SweepPoint> Points, int DistinctRequests, double MeanAnswerBytes)> RunAsync(
        IReadOnlyList<WorkloadEntry> workload, TimeSpan? ttl, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        CacheKey[] keys = [.. workload.Select(entry => CacheKey.Create(new RequestKey(entry.Request)))];
        Dictionary<CacheKey, ModelAnswer> answers = Answers(workload, keys);
        double meanBytes = answers.Values.Average(a => (double)CacheValueSizes.OfString(a.Text) + AnswerObjectBytes);

        int[] capacities = CapacitiesFor(answers.Count);
        (CacheEvictionPolicy Policy, int Capacity)[] runs = [.. Policies.SelectMany(p => capacities.Select(c => (p, c)))];
        SweepPoint[] points = new SweepPoint[runs.Length];
        int done = 0;
        await Parallel.ForAsync(0, runs.Length, new ParallelOptions { CancellationToken = cancellationToken }, (i, token) =>
        {
            points[i] = Replay(workload, keys, answers, runs[i].Policy, runs[i].Capacity, ttl, token);
            progress?.Invoke(Interlocked.Increment(ref done), runs.Length);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        return (points, answers.Count, meanBytes);
    }

    /// <summary>The smallest capacity at which a policy's hit ratio is within one point of the best of the sweep.</summary>
    public static SweepPoint SmallestNearBest(IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        double best = points.Max(p => p.HitRatio);
        return points.Where(p => p.HitRatio >= best - 0.01).OrderBy(p => p.Capacity).ThenByDescending(p => p.HitRatio).First();
    }

    // A ModelAnswer's own object and its fields beside the text's string (64-bit).
    private const int AnswerObjectBytes = 48;

    private static SweepPoint Replay(
        IReadOnlyList<WorkloadEntry> workload, CacheKey[] keys, Dictionary<CacheKey, ModelAnswer> answers, CacheEvictionPolicy policy, int capacity, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        Replay.ReplayClock clock = new(DemoApp.RecordingStart);
        using ExactMatchCache<ModelAnswer> cache = new(new ExactMatchCacheOptions<ModelAnswer> { MaxSize = capacity, Ttl = ttl, TimeProvider = clock, EvictionPolicy = policy });
        long hits = 0;
        for (int i = 0; i < workload.Count; i++)
        {
            if ((i & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            clock.AdvanceTo(workload[i].At);
            if (cache.TryGet(keys[i], out _))
            {
                hits++;
            }
            else
            {
                cache.Put(keys[i], answers[keys[i]]);
            }
        }

        return new SweepPoint(policy, capacity, hits, workload.Count);
    }

    // Each distinct request's answer, as the simulated model gives it: what the cache would hold for it.
    private static Dictionary<CacheKey, ModelAnswer> Answers(IReadOnlyList<WorkloadEntry> workload, CacheKey[] keys)
    {
        Dictionary<CacheKey, ModelAnswer> answers = [];
        for (int i = 0; i < workload.Count; i++)
        {
            if (!answers.ContainsKey(keys[i]))
            {
                ModelReply reply = SimulatedModel.Answer(workload[i].Request);
                answers[keys[i]] = new ModelAnswer(reply.Text, reply.InputTokens, reply.OutputTokens, TimeSpan.Zero);
            }
        }

        return answers;
    }

    /// <summary>A request's key for the sweep: every field that tells one request from another.</summary>
    private readonly struct RequestKey(ChatRequest request) : ICacheKeySource
    {
        public void WriteTo(ref CacheKeyWriter writer)
        {
            writer.Write("zeroalloccache.demo.sweep/v1");
            writer.Write(request.SystemPrompt);
            writer.Write(request.Model);
            writer.Write(request.Temperature);
            writer.Write(request.MaxTokens);
            writer.Write<ConversationHistory>(request.History);
            writer.Write(request.UserMessage);
        }
    }
}
