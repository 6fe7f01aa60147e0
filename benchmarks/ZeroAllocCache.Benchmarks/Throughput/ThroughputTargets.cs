using System.Collections.Concurrent;

using BitFaster.Caching.Lru;

using Microsoft.Extensions.Caching.Memory;

using ZeroAllocCache.Benchmarks.Contenders;
using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Throughput;

/// <summary>
/// The contenders of the throughput harness. Request <c>i</c> is the numbered reference request <c>i</c>: the system
/// prompt and parameters repeat, the user message differs. Writes store the request as first seen; reads look up an
/// equal request whose user message is another string instance, as in the hit-path benchmarks.
/// </summary>
public static class ThroughputTargets
{
    /// <summary>Creates every contender for a workload over <paramref name="requests"/> requests.</summary>
    /// <param name="requests">The number of distinct requests; every cache holds them all.</param>
    /// <returns>The contenders, in table order.</returns>
    public static IReadOnlyList<Func<IThroughputTarget>> All(int requests)
    {
        Workload workload = new(requests);
        return
        [
            () => new ExactMatchRequests(workload, CacheEvictionPolicy.Lru),
            () => new ExactMatchRequests(workload, CacheEvictionPolicy.Sieve),
            () => new ExactMatchRequests(workload, CacheEvictionPolicy.S3Fifo),
            () => new ExactMatchKeys(workload, CacheEvictionPolicy.Lru),
            () => new ExactMatchKeys(workload, CacheEvictionPolicy.Sieve),
            () => new ExactMatchKeys(workload, CacheEvictionPolicy.S3Fifo),
            () => new SeedPort(workload),
            () => new MemoryCacheSeedKey(workload),
            () => new BitFasterTuple(workload),
            () => new ConcurrentDictionaryTuple(workload),
        ];
    }

    /// <summary>The requests, built once and shared by every contender.</summary>
    private sealed class Workload
    {
        public Workload(int requests)
        {
            Stored = new ChatRequest[requests];
            Arriving = new ChatRequest[requests];
            for (int i = 0; i < requests; i++)
            {
                Stored[i] = ReferenceRequests.Numbered(i);
                Arriving[i] = ReferenceRequests.Numbered(i);
            }
        }

        public ChatRequest[] Stored { get; }

        public ChatRequest[] Arriving { get; }

        public int Count => Stored.Length;
    }

    private sealed class ExactMatchRequests(Workload workload, CacheEvictionPolicy policy) : IThroughputTarget
    {
        private readonly ExactMatchCache<string> _cache = new(new ExactMatchCacheOptions<string> { MaxSize = workload.Count, EvictionPolicy = policy });

        public string Name => policy == CacheEvictionPolicy.Lru ? "ExactMatchCache.TryGet (5 fields)" : $"ExactMatchCache.TryGet (5 fields, {policy})";

        public bool Read(int request)
        {
            ChatRequest r = workload.Arriving[request];
            return _cache.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out _);
        }

        public void Write(int request)
        {
            ChatRequest r = workload.Stored[request];
            _cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
        }
    }

    private sealed class ExactMatchKeys : IThroughputTarget
    {
        private readonly ExactMatchCache<string> _cache;
        private readonly CacheKey[] _keys;

        private readonly CacheEvictionPolicy _policy;

        public ExactMatchKeys(Workload workload, CacheEvictionPolicy policy)
        {
            _policy = policy;
            _cache = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = workload.Count, EvictionPolicy = policy });
            _keys = new CacheKey[workload.Count];
            for (int i = 0; i < _keys.Length; i++)
            {
                ChatRequest r = workload.Stored[i];
                _keys[i] = CacheKey.Create(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
            }
        }

        public string Name => _policy == CacheEvictionPolicy.Lru ? "ExactMatchCache.TryGet (precomputed CacheKey)" : $"ExactMatchCache.TryGet (precomputed CacheKey, {_policy})";

        public bool Read(int request) => _cache.TryGet(in _keys[request], out _);

        public void Write(int request) => _cache.Put(in _keys[request], CannedResponse.Text);
    }

    private sealed class SeedPort(Workload workload) : IThroughputTarget
    {
        private readonly SeedLruCache<string> _cache = new(workload.Count);

        public string Name => "Seed port";

        public bool Read(int request)
        {
            ChatRequest r = workload.Arriving[request];
            return _cache.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out _);
        }

        public void Write(int request)
        {
            ChatRequest r = workload.Stored[request];
            _cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
        }
    }

    private sealed class MemoryCacheSeedKey(Workload workload) : IThroughputTarget, IDisposable
    {
        private static readonly MemoryCacheEntryOptions SizeOne = new() { Size = 1 };
        private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = workload.Count });

        public string Name => "MemoryCache (seed key)";

        public bool Read(int request) => _cache.TryGetValue(Key(workload.Arriving[request]), out _);

        public void Write(int request) => _cache.Set(Key(workload.Stored[request]), CannedResponse.Text, SizeOne);

        public void Dispose() => _cache.Dispose();

        private static string Key(ChatRequest r) =>
            SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
    }

    private sealed class BitFasterTuple(Workload workload) : IThroughputTarget
    {
        private readonly ConcurrentLru<(string, string, string, float, int), string> _cache = new(workload.Count);

        public string Name => "BitFaster ConcurrentLru (tuple)";

        public bool Read(int request) => _cache.TryGet(workload.Arriving[request].ToTuple(), out _);

        public void Write(int request) => _cache.AddOrUpdate(workload.Stored[request].ToTuple(), CannedResponse.Text);
    }

    private sealed class ConcurrentDictionaryTuple(Workload workload) : IThroughputTarget
    {
        private readonly ConcurrentDictionary<(string, string, string, float, int), string> _cache = new();

        public string Name => "ConcurrentDictionary (tuple)";

        public bool Read(int request) => _cache.TryGetValue(workload.Arriving[request].ToTuple(), out _);

        public void Write(int request) => _cache[workload.Stored[request].ToTuple()] = CannedResponse.Text;
    }
}
