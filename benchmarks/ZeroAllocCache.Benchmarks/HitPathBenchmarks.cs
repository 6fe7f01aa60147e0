using System.Collections.Concurrent;

using BenchmarkDotNet.Attributes;

using BitFaster.Caching.Lru;

using Microsoft.Extensions.Caching.Memory;

using ZeroAllocCache.Benchmarks.Contenders;
using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 4, part 1: one hit, the same request for every contender, against the floor of hashing it.
/// </summary>
/// <remarks>
/// Every cache holds <see cref="Capacity"/> entries: the request and neighbours that differ in the token budget. The
/// request is looked up as it arrives again: a new user-message string with the same characters, the system prompt
/// and the model the same instances (constants in the caller's code), so tuple keys compare the message by content.
/// </remarks>
[MemoryDiagnoser]
public class HitPathBenchmarks : IDisposable
{
    private const int Capacity = 1024;

    private ChatRequest _request = null!;
    private Utf8Sha256Floor _floor = null!;
    private LibcryptoBlocksAfterPrefix _blocksAfterPrefix = null!;
    private ExactMatchCache<string> _exactMatchCache = null!;
    private CacheKey _key;
    private CachedAssistant _assistant = null!;
    private SeedLruCache<string> _seedPort = null!;
    private MemoryCache _memoryCache = null!;
    private ConcurrentLru<(string, string, string, float, int), string> _concurrentLru = null!;
    private ConcurrentDictionary<(string, string, string, float, int), string> _concurrentDictionary = null!;

    /// <summary>The request size.</summary>
    [Params(RequestSize.Small, RequestSize.Reference, RequestSize.Large)]
    public RequestSize Size { get; set; }

    /// <summary>Builds every contender and fills it to capacity.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ChatRequest stored = ReferenceRequests.Get(Size);
        _request = stored.Arriving();
        _floor = new Utf8Sha256Floor(stored.UserMessage.Length + stored.SystemPrompt.Length + stored.Model.Length);
        _blocksAfterPrefix = new LibcryptoBlocksAfterPrefix(stored);
        _exactMatchCache = new ExactMatchCache<string>(Capacity);
        _assistant = new CachedAssistant(Capacity);
        _seedPort = new SeedLruCache<string>(Capacity);
        _memoryCache = new MemoryCache(new MemoryCacheOptions { SizeLimit = Capacity });
        _concurrentLru = new ConcurrentLru<(string, string, string, float, int), string>(Capacity);
        _concurrentDictionary = new ConcurrentDictionary<(string, string, string, float, int), string>();

        MemoryCacheEntryOptions sizeOne = new() { Size = 1 };
        const string value = CannedResponse.Text;
        for (int i = Capacity - 1; i >= 0; i--)
        {
            // The request itself last: the most recently used entry in the LRU contenders.
            ChatRequest r = i == 0 ? stored : stored.WithMaxTokens(ReferenceRequests.MaxTokens + i);
            _exactMatchCache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, value);
            _ = _assistant.AskAsync(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens).AsTask().Result;
            _seedPort.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, value);
            _memoryCache.Set(SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens), value, sizeOne);
            _concurrentLru.AddOrUpdate(r.ToTuple(), value);
            _concurrentDictionary[r.ToTuple()] = value;
        }

        _key = CacheKey.Create(_request.UserMessage, _request.SystemPrompt, _request.Model, _request.Temperature, _request.MaxTokens);
        if (ExactMatchCache_TryGet() is null || ExactMatchCache_TryGet_Key() is null || Generated_CachedLlmCall() is null
            || SeedPort_TryGet() is null || MemoryCache_SeedKey() is null || BitFaster_ConcurrentLru_Tuple() is null
            || ConcurrentDictionary_Tuple() is null)
        {
            throw new InvalidOperationException("Every contender must hit.");
        }
    }

    /// <summary>The floor: the fields encoded to UTF-8 and hashed by SHA256.HashData.</summary>
    /// <returns>The digest's first byte.</returns>
    [Benchmark(Baseline = true)]
    public byte Floor_Utf8_SHA256()
    {
        Span<byte> digest = stackalloc byte[32];
        _floor.Hash(_request, digest);
        return digest[0];
    }

    /// <summary>
    /// Not a contender: libcrypto compressing only the blocks a hit hashes after the stored prefix state (2 for the
    /// small request, 8 for the reference, all 251 for the large one, which stores no prefix): the part of <see cref="ExactMatchCache_TryGet"/> no key-path work removes.
    /// </summary>
    /// <returns>A word of the state.</returns>
    [Benchmark]
    public uint Floor_Libcrypto_BlocksAfterPrefix() => _blocksAfterPrefix.Compress();

    /// <summary>ExactMatchCache.TryGet with the five fields: key creation and lookup.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? ExactMatchCache_TryGet()
    {
        ChatRequest r = _request;
        _exactMatchCache.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out string? value);
        return value;
    }

    /// <summary>ExactMatchCache.TryGet on a key computed earlier: the lookup alone.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? ExactMatchCache_TryGet_Key()
    {
        _exactMatchCache.TryGet(in _key, out string? value);
        return value;
    }

    /// <summary>A hit through a generated [CachedLlmCall] wrapper.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? Generated_CachedLlmCall()
    {
        ChatRequest r = _request;
        ValueTask<string> answer = _assistant.AskAsync(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
        return answer.IsCompletedSuccessfully ? answer.Result : null;
    }

    /// <summary>The C# port of the Python seed: joined string, hex SHA-256 key, Dictionary + LinkedList under a lock.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? SeedPort_TryGet()
    {
        ChatRequest r = _request;
        _seedPort.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out string? value);
        return value;
    }

    /// <summary>Microsoft.Extensions.Caching.Memory with the seed's key.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? MemoryCache_SeedKey()
    {
        ChatRequest r = _request;
        string key = SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
        return _memoryCache.TryGetValue(key, out string? value) ? value : null;
    }

    /// <summary>BitFaster.Caching ConcurrentLru keyed by the five fields as a tuple.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? BitFaster_ConcurrentLru_Tuple()
    {
        _concurrentLru.TryGet(_request.ToTuple(), out string? value);
        return value;
    }

    /// <summary>ConcurrentDictionary keyed by the five fields as a tuple: no eviction, no recency.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? ConcurrentDictionary_Tuple()
    {
        _concurrentDictionary.TryGetValue(_request.ToTuple(), out string? value);
        return value;
    }

    /// <summary>Disposes the MemoryCache.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _memoryCache?.Dispose();
        GC.SuppressFinalize(this);
    }
}
