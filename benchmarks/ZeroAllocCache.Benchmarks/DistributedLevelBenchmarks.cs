using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 15: a hit in the distributed level, on a redis-server on loopback that the benchmark starts, against a raw
/// <see cref="IBufferDistributedCache"/> read of the same bytes and against <see cref="HybridCache"/> over the same
/// <see cref="RedisCache"/> with its memory level off; and a memory hit of the same two-level cache.
/// </summary>
[MemoryDiagnoser]
public class DistributedLevelBenchmarks : DistributedHitContenders
{
    private RedisServer _redis = null!;
    private RedisCache _store = null!;
    private ExactMatchCache<string> _warm = null!;

    /// <summary>Starts Redis, then stores the answer for each contender and for the memory hit.</summary>
    public override void Setup()
    {
        base.Setup();
        _warm = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { DistributedCache = _store });
        _warm.Put(Key, Answer);
    }

    /// <summary>The same two-level cache's memory hit: the distributed level costs it nothing.</summary>
    [Benchmark]
    public bool ExactMatchCache_memory_hit_with_a_distributed_level() => _warm.TryGet(Key, out _);

    /// <summary>
    /// The three distributed reads timed in interleaved rounds in one process, as the compare harness does for builds:
    /// the store's latency drifts more between BenchmarkDotNet's runs of one benchmark and the next than the
    /// contenders differ. Prints the median and 25th percentile of each contender's round means.
    /// </summary>
    /// <param name="rounds">How many rounds; each contender runs <paramref name="callsPerRound"/> calls a round.</param>
    /// <param name="callsPerRound">Calls a contender makes in a round.</param>
    public static void RunInterleaved(int rounds, int callsPerRound)
    {
        DistributedLevelBenchmarks benchmarks = new();
        benchmarks.Setup();
        try
        {
            (string Name, Func<Task> Call)[] contenders =
            [
                ("Raw_IBufferDistributedCache_get", async () => await benchmarks.Raw_IBufferDistributedCache_get()),
                ("ExactMatchCache_distributed_hit", async () => await benchmarks.ExactMatchCache_distributed_hit()),
                ("HybridCache_distributed_hit", async () => await benchmarks.HybridCache_distributed_hit()),
            ];
            double[][] means = [.. contenders.Select(_ => new double[rounds])];
            for (int warm = 0; warm < callsPerRound; warm++)
            {
                foreach ((_, Func<Task> call) in contenders)
                {
                    call().GetAwaiter().GetResult();
                }
            }

            for (int round = 0; round < rounds; round++)
            {
                for (int turn = 0; turn < contenders.Length; turn++)
                {
                    int contender = (round + turn) % contenders.Length;
                    long started = System.Diagnostics.Stopwatch.GetTimestamp();
                    for (int call = 0; call < callsPerRound; call++)
                    {
                        contenders[contender].Call().GetAwaiter().GetResult();
                    }

                    means[contender][round] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds / callsPerRound;
                }
            }

            Console.WriteLine("| Contender | P25 (µs) | Median (µs) | Median ratio to raw |");
            Console.WriteLine("|---|---:|---:|---:|");
            double rawMedian = Median(means[0]);
            for (int i = 0; i < contenders.Length; i++)
            {
                double[] sorted = [.. means[i].Order()];
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"| {contenders[i].Name} | {sorted[sorted.Length / 4]:F1} | {Median(means[i]):F1} | {Median(means[i]) / rawMedian:F3} |"));
            }
        }
        finally
        {
            benchmarks.Dispose();
        }

        static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);
    }

    /// <summary>Disposes the caches, then stops Redis.</summary>
    /// <param name="disposing">Whether <see cref="DistributedHitContenders.Dispose()"/> called it.</param>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _warm?.Dispose();
        _store?.Dispose();
        _redis?.Dispose();
    }

    /// <inheritdoc/>
    protected override IBufferDistributedCache CreateStore()
    {
        _redis = new RedisServer();
        _store = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = _redis.Configuration }));
        return _store;
    }

    private static CacheKey Key { get; } = CacheKey.Create("first", "system", "model", 0.2f, 512);
}
