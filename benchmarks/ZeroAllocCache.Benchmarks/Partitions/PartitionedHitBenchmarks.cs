using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Partitions;

/// <summary>
/// Issue 18: a hit in a partition against the same hit in the cache's own entries, in one run. Both caches hold 1,024
/// entries; the partitioned one spreads them over 16 tenants. "Lookup" times the lookup of a key already made;
/// "Request" makes the key from the reference request first, as a caller does.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/ZeroAllocCache.Benchmarks -- --filter '*PartitionedHitBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PartitionedHitBenchmarks : IDisposable
{
    private const int Capacity = 1024;
    private const int Tenants = 16;
    private const string Tenant = "tenant-7";

    private ChatRequest _request = null!;
    private ExactMatchCache<string> _plain = null!;
    private ExactMatchCache<string> _partitioned = null!;
    private CachePartition<string> _partition = null!;
    private CacheKey _key;

    /// <summary>Fills both caches; the request is the most recently used in each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ChatRequest stored = ReferenceRequests.Get(RequestSize.Reference);
        _request = stored.Arriving();
        _plain = new ExactMatchCache<string>(Capacity);
        _partitioned = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = Capacity, MaxSizePerPartition = Capacity / Tenants });
        for (int i = Capacity - 1; i >= 0; i--)
        {
            ChatRequest r = i == 0 ? stored : stored.WithMaxTokens(ReferenceRequests.MaxTokens + i);
            CacheKey key = CacheKey.Create(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
            _plain.Put(key, CannedResponse.Text);
            _partitioned.Partition(i == 0 ? Tenant : $"tenant-{i % Tenants}").Put(key, CannedResponse.Text);
        }

        _partition = _partitioned.Partition(Tenant);
        _key = CacheKey.Create(_request.UserMessage, _request.SystemPrompt, _request.Model, _request.Temperature, _request.MaxTokens);
        if (Lookup_cache() is null || Lookup_partition() is null || Lookup_partition_by_name() is null || Request_cache() is null || Request_partition() is null)
        {
            throw new InvalidOperationException("Every benchmark must hit.");
        }
    }

    /// <summary>The cache's own entries, the key made.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Lookup")]
    public string? Lookup_cache() => _plain.TryGet(_key, out string? value) ? value : null;

    /// <summary>A partition held by the caller, the key made.</summary>
    [Benchmark]
    [BenchmarkCategory("Lookup")]
    public string? Lookup_partition() => _partition.TryGet(_key, out string? value) ? value : null;

    /// <summary>The partition found by name first, as generated code and the M.E.AI client do.</summary>
    [Benchmark]
    [BenchmarkCategory("Lookup")]
    public string? Lookup_partition_by_name() => _partitioned.Partition(Tenant).TryGet(_key, out string? value) ? value : null;

    /// <summary>The reference request keyed and looked up in the cache's own entries.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Request")]
    public string? Request_cache()
    {
        CacheKey key = CacheKey.Create(_request.UserMessage, _request.SystemPrompt, _request.Model, _request.Temperature, _request.MaxTokens);
        return _plain.TryGet(key, out string? value) ? value : null;
    }

    /// <summary>The reference request keyed and looked up in its tenant's partition, found by name.</summary>
    [Benchmark]
    [BenchmarkCategory("Request")]
    public string? Request_partition()
    {
        CacheKey key = CacheKey.Create(_request.UserMessage, _request.SystemPrompt, _request.Model, _request.Temperature, _request.MaxTokens);
        return _partitioned.Partition(Tenant).TryGet(key, out string? value) ? value : null;
    }

    /// <summary>Disposes the caches.</summary>
    public void Dispose()
    {
        _plain?.Dispose();
        _partitioned?.Dispose();
        GC.SuppressFinalize(this);
    }
}
