using System.Buffers;

using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 15: a hit in the distributed level, on a redis-server on loopback that the benchmark starts, against a raw
/// <see cref="IBufferDistributedCache"/> read of the same bytes and against <see cref="HybridCache"/> over the same
/// <see cref="RedisCache"/> with its memory level off; and a memory hit of the same two-level cache.
/// </summary>
/// <remarks>
/// The value is a 1 KB answer. The ExactMatchCache's memory level holds one entry and the benchmark alternates two
/// keys, so every call misses memory and hits Redis (and stores what it found in memory, as an L2 hit does).
/// </remarks>
[MemoryDiagnoser]
public class DistributedLevelBenchmarks : IDisposable
{
    private static readonly string Answer = new('a', 1024);

    private readonly CacheKey[] _keys = [CacheKey.Create("first", "system", "model", 0.2f, 512), CacheKey.Create("second", "system", "model", 0.2f, 512)];
    private RedisServer _redis = null!;
    private RedisCache _store = null!;
    private ExactMatchCache<string> _twoLevel = null!;
    private ExactMatchCache<string> _warm = null!;
    private ServiceProvider _services = null!;
    private HybridCache _hybrid = null!;
    private ArrayBufferWriter<byte> _raw = null!;
    private string _rawKey = null!;
    private int _next;

    private static readonly HybridCacheEntryOptions DistributedOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableLocalCacheWrite,
    };

    /// <summary>Starts Redis, stores the answer under both keys for each contender.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _redis = new RedisServer();
        _store = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = _redis.Configuration }));
        _twoLevel = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = 1, DistributedCache = _store, DistributedTimeout = TimeSpan.FromSeconds(2) });
        _warm = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { DistributedCache = _store });
        foreach (CacheKey key in _keys)
        {
            _twoLevel.PutAsync(key, Answer).GetAwaiter().GetResult();
            _warm.Put(key, Answer);
        }

        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        _keys[0].CopyTo(digest);
        _rawKey = ExactMatchCacheOptions<string>.DefaultDistributedKeyPrefix + System.Buffers.Text.Base64Url.EncodeToString(digest);
        _raw = new ArrayBufferWriter<byte>(4096);

        ServiceCollection services = new();
        services.AddSingleton<IDistributedCache>(_store);
        services.AddHybridCache();
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        foreach (string key in new[] { "first", "second" })
        {
            _hybrid.SetAsync(key, Answer).AsTask().GetAwaiter().GetResult();
        }

        if (ExactMatchCache_distributed_hit().GetAwaiter().GetResult() != Answer
            || HybridCache_distributed_hit().GetAwaiter().GetResult() != Answer
            || !Raw_IBufferDistributedCache_get().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("A contender missed.");
        }
    }

    /// <summary>The store's own read of the bytes an ExactMatchCache entry holds.</summary>
    [Benchmark(Baseline = true)]
    public async Task<bool> Raw_IBufferDistributedCache_get()
    {
        _raw.ResetWrittenCount();
        return await ((IBufferDistributedCache)_store).TryGetAsync(_rawKey, _raw);
    }

    /// <summary>An ExactMatchCache hit in Redis: memory misses, the entry and the clear marker are read, checked and deserialized.</summary>
    [Benchmark]
    public async Task<string?> ExactMatchCache_distributed_hit()
    {
        CacheLookup<string> found = await _twoLevel.TryGetAsync(_keys[_next++ & 1]);
        return found.Value;
    }

    /// <summary>HybridCache reading Redis, its memory level switched off for the call.</summary>
    [Benchmark]
    public async Task<string> HybridCache_distributed_hit() =>
        await _hybrid.GetOrCreateAsync((_next++ & 1) == 0 ? "first" : "second", static _ => ValueTask.FromResult("missed"), DistributedOnly);

    /// <summary>The same two-level cache's memory hit: the distributed level costs it nothing.</summary>
    [Benchmark]
    public bool ExactMatchCache_memory_hit_with_a_distributed_level() => _warm.TryGet(_keys[0], out _);

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

    /// <summary>Stops Redis.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _twoLevel?.Dispose();
        _warm?.Dispose();
        _services?.Dispose();
        _store?.Dispose();
        _redis?.Dispose();
        GC.SuppressFinalize(this);
    }
}
