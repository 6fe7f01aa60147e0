using BenchmarkDotNet.Attributes;

using BitFaster.Caching.Lru;

using Microsoft.Extensions.Caching.Memory;

using ZeroAllocCache.Benchmarks.Contenders;
using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 4, part 2: a miss followed by a put into a full cache, so that every put evicts.
/// </summary>
/// <remarks>
/// Each operation takes the next of <see cref="DistinctRequests"/> reference requests (each with its own user message,
/// the system prompt and parameters shared), four times the capacity: under LRU every request was evicted long before
/// it comes round again.
/// MemoryCache does not evict inline: a set over its size limit is dropped and schedules a compaction of 5% of the
/// entries on the thread pool, so its figure is a set plus a share of that background work.
/// </remarks>
[MemoryDiagnoser]
public class MissPutBenchmarks : IDisposable
{
    private const int Capacity = 1024;
    private const int DistinctRequests = 4 * Capacity;

    private static readonly MemoryCacheEntryOptions SizeOne = new() { Size = 1 };

    private readonly ChatRequest[] _requests = new ChatRequest[DistinctRequests];
    private int _next;
    private ExactMatchCache<string> _exactMatchCache = null!;
    private SeedLruCache<string> _seedPort = null!;
    private MemoryCache _memoryCache = null!;
    private ConcurrentLru<(string, string, string, float, int), string> _concurrentLru = null!;

    /// <summary>Builds the requests and every contender, and runs each through one full cycle so that it is full.</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < DistinctRequests; i++)
        {
            _requests[i] = ReferenceRequests.Numbered(i);
        }

        _exactMatchCache = new ExactMatchCache<string>(Capacity);
        _seedPort = new SeedLruCache<string>(Capacity);
        _memoryCache = new MemoryCache(new MemoryCacheOptions { SizeLimit = Capacity });
        _concurrentLru = new ConcurrentLru<(string, string, string, float, int), string>(Capacity);
        for (int i = 0; i < DistinctRequests; i++)
        {
            ExactMatchCache_MissThenPut();
            ExactMatchCache_Put();
            SeedPort_MissThenPut();
            MemoryCache_SeedKey_MissThenSet();
            BitFaster_ConcurrentLru_Tuple_GetOrAdd();
        }

        if (_exactMatchCache.Count != Capacity || _seedPort.Count != Capacity)
        {
            throw new InvalidOperationException("The LRU contenders must be full.");
        }
    }

    /// <summary>ExactMatchCache: one key, a missed TryGet, then a Put that evicts (what the generated wrapper does).</summary>
    [Benchmark(Baseline = true)]
    public void ExactMatchCache_MissThenPut()
    {
        ChatRequest r = Next();
        CacheKey key = CacheKey.Create(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
        if (!_exactMatchCache.TryGet(in key, out _))
        {
            _exactMatchCache.Put(in key, CannedResponse.Text);
        }
    }

    /// <summary>ExactMatchCache: Put with the five fields into the full cache, no lookup.</summary>
    [Benchmark]
    public void ExactMatchCache_Put()
    {
        ChatRequest r = Next();
        _exactMatchCache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
    }

    /// <summary>The seed port: get, then put, each computing the seed's key as the Python seed's callers did.</summary>
    [Benchmark]
    public void SeedPort_MissThenPut()
    {
        ChatRequest r = Next();
        if (!_seedPort.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out _))
        {
            _seedPort.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
        }
    }

    /// <summary>MemoryCache with the seed's key: TryGetValue, then Set with size 1 against a size limit.</summary>
    [Benchmark]
    public void MemoryCache_SeedKey_MissThenSet()
    {
        ChatRequest r = Next();
        string key = SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
        if (!_memoryCache.TryGetValue(key, out _))
        {
            _memoryCache.Set(key, CannedResponse.Text, SizeOne);
        }
    }

    /// <summary>BitFaster.Caching ConcurrentLru with a tuple key: GetOrAdd, which misses and adds.</summary>
    [Benchmark]
    public void BitFaster_ConcurrentLru_Tuple_GetOrAdd()
    {
        _concurrentLru.GetOrAdd(Next().ToTuple(), static (_, response) => response, CannedResponse.Text);
    }

    /// <summary>Disposes the MemoryCache.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _memoryCache?.Dispose();
        GC.SuppressFinalize(this);
    }

    private ChatRequest Next()
    {
        int i = _next;
        _next = (i + 1) % DistinctRequests;
        return _requests[i];
    }
}
