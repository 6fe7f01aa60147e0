using System.Globalization;

using BitFaster.Caching.Lfu;
using BitFaster.Caching.Lru;
using BitFaster.Caching.Scheduler;

namespace ZeroAllocCache.Benchmarks.HitRatio;

/// <summary>
/// Issue 19's hit-ratio goals: each trace replayed, as a cache-aside client would (look up; on a miss, store), through
/// ExactMatchCache under each policy and through BitFaster's <c>ConcurrentLru</c> and <c>ConcurrentLfu</c>, at
/// capacities of 1%, 5%, 10% and 25% of the trace's distinct keys. One thread; deterministic for ours and
/// <c>ConcurrentLru</c>, and for <c>ConcurrentLfu</c> with its maintenance in the foreground. The last column is a
/// reference, not a contender: <see cref="FullHistoryLfu"/>, what ranking keys by their whole history achieves.
/// </summary>
/// <remarks><c>dotnet run -c Release --project benchmarks/ZeroAllocCache.Benchmarks -- hitratio [workload.jsonl]</c>.</remarks>
public static class HitRatioHarness
{
    private static readonly double[] Fractions = [0.01, 0.05, 0.10, 0.25];

    /// <summary>Runs every trace and prints one markdown table per trace.</summary>
    public static void Run(string[] args)
    {
        string workload = args.Length > 0 ? args[0] : Path.Combine(FindRepository(), "src", "ZeroAllocCache.Demo", "Workload", "workload.jsonl");
        HitRatioTrace[] traces = [HitRatioTraces.DemoWorkload(workload), HitRatioTraces.OneOffHeavy(scans: false), HitRatioTraces.OneOffHeavy(scans: true)];
        foreach (HitRatioTrace trace in traces)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{trace.Name}: {trace.Requests.Length:N0} requests, {trace.DistinctKeys:N0} distinct keys"));
            Console.WriteLine();
            Console.WriteLine("| Capacity | Lru | Sieve | S3Fifo | WTinyLfu | BitFaster ConcurrentLru | BitFaster ConcurrentLfu | best of ours − Lfu | LFU, full history (reference) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            CacheKey[] keys = [.. Enumerable.Range(0, trace.DistinctKeys).Select(id => CacheKey.Create("prompt " + id.ToString(CultureInfo.InvariantCulture), "system", "model", 0.2f, 256))];
            foreach (double fraction in Fractions)
            {
                int capacity = Math.Max(3, (int)(trace.DistinctKeys * fraction));
                double lru = Ours(trace, keys, capacity, CacheEvictionPolicy.Lru);
                double sieve = Ours(trace, keys, capacity, CacheEvictionPolicy.Sieve);
                double s3Fifo = Ours(trace, keys, capacity, CacheEvictionPolicy.S3Fifo);
                double wTinyLfu = Ours(trace, keys, capacity, CacheEvictionPolicy.WTinyLfu);
                double bitFasterLru = BitFasterLru(trace, capacity);
                double bitFasterLfu = BitFasterLfu(trace, capacity);
                double fullHistory = FullHistory(trace, capacity);
                double best = Math.Max(Math.Max(lru, sieve), Math.Max(s3Fifo, wTinyLfu));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {fraction:P0} ({capacity:N0}) | {lru:P2} | {sieve:P2} | {s3Fifo:P2} | {wTinyLfu:P2} | {bitFasterLru:P2} | {bitFasterLfu:P2} | {(best - bitFasterLfu) * 100:+0.00;−0.00} pt | {fullHistory:P2} |"));
            }

            Console.WriteLine();
        }
    }

    private static double Ours(HitRatioTrace trace, CacheKey[] keys, int capacity, CacheEvictionPolicy policy)
    {
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = capacity, EvictionPolicy = policy });
        return CacheAside(trace, id => cache.TryGet(keys[id], out _), id => cache.Put(keys[id], id));
    }

    private static double BitFasterLru(HitRatioTrace trace, int capacity)
    {
        ConcurrentLru<int, int> cache = new(capacity);
        return CacheAside(trace, id => cache.TryGet(id, out _), id => cache.AddOrUpdate(id, id));
    }

    private static double BitFasterLfu(HitRatioTrace trace, int capacity)
    {
        ConcurrentLfu<int, int> cache = new(1, capacity, new ForegroundScheduler(), EqualityComparer<int>.Default);
        return CacheAside(trace, id => cache.TryGet(id, out _), id => cache.AddOrUpdate(id, id));
    }

    private static double FullHistory(HitRatioTrace trace, int capacity)
    {
        FullHistoryLfu cache = new(capacity);
        return CacheAside(trace, cache.TryGet, cache.Add);
    }

    // The share of the trace's requests a cache answers when each miss stores its key.
    private static double CacheAside(HitRatioTrace trace, Func<int, bool> tryGet, Action<int> add)
    {
        long hits = 0;
        foreach (int id in trace.Requests)
        {
            if (tryGet(id))
            {
                hits++;
            }
            else
            {
                add(id);
            }
        }

        return (double)hits / trace.Requests.Length;
    }

    private static string FindRepository()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZeroAllocCache.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository, or give the workload's path.");
    }
}
