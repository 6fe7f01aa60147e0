using BenchmarkDotNet.Attributes;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 19: one hit under each eviction policy, the request keyed as a caller does, in a full cache of 1,024 entries.
/// SIEVE's and S3-FIFO's hits take no lock; LRU's moves the entry under it.
/// </summary>
/// <remarks><c>dotnet run -c Release --project benchmarks/ZeroAllocCache.Benchmarks -- --filter '*PolicyHitBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class PolicyHitBenchmarks : IDisposable
{
    private const int Capacity = 1024;

    private ChatRequest _request = null!;
    private ExactMatchCache<string> _cache = null!;

    /// <summary>The request size.</summary>
    [Params(RequestSize.Small, RequestSize.Reference)]
    public RequestSize Size { get; set; }

    /// <summary>The eviction policy.</summary>
    [Params(CacheEvictionPolicy.Lru, CacheEvictionPolicy.Sieve, CacheEvictionPolicy.S3Fifo, CacheEvictionPolicy.WTinyLfu)]
    public CacheEvictionPolicy Policy { get; set; }

    /// <summary>Fills the cache; the request is stored last.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ChatRequest stored = ReferenceRequests.Get(Size);
        _request = stored.Arriving();
        _cache = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = Capacity, EvictionPolicy = Policy });
        for (int i = Capacity - 1; i >= 0; i--)
        {
            ChatRequest r = i == 0 ? stored : stored.WithMaxTokens(ReferenceRequests.MaxTokens + i);
            _cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
        }

        if (Hit() is null)
        {
            throw new InvalidOperationException("The request must hit.");
        }
    }

    /// <summary>The 5-field lookup of the request.</summary>
    [Benchmark]
    public string? Hit() =>
        _cache.TryGet(_request.UserMessage, _request.SystemPrompt, _request.Model, _request.Temperature, _request.MaxTokens, out string? value) ? value : null;

    /// <summary>Disposes the cache.</summary>
    public void Dispose()
    {
        _cache?.Dispose();
        GC.SuppressFinalize(this);
    }
}
