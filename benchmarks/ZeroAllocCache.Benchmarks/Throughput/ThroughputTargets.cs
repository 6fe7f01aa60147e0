using System.Collections.Concurrent;

using BitFaster.Caching.Lru;

using Microsoft.Extensions.Caching.Memory;

using ZeroAllocCache.Benchmarks.Contenders;
using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Throughput;

/// <summary>
/// The contenders of the throughput harness. Request <c>i</c> is the reference request with token budget <c>i</c>;
/// reads use the arriving copy of the user message, writes the stored one, as in the hit-path benchmarks.
/// </summary>
public static class ThroughputTargets
{
    private static readonly ChatRequest Stored = ReferenceRequests.Reference;
    private static readonly ChatRequest Arriving = Stored.Arriving();

    /// <summary>Creates every contender for a workload over <paramref name="requests"/> requests.</summary>
    /// <param name="requests">The number of distinct requests; every cache holds them all.</param>
    /// <returns>The contenders, in table order.</returns>
    public static IReadOnlyList<Func<IThroughputTarget>> All(int requests) =>
    [
        () => new ExactMatchRequests(requests),
        () => new ExactMatchKeys(requests),
        () => new SeedPort(requests),
        () => new MemoryCacheSeedKey(requests),
        () => new BitFasterTuple(requests),
        () => new ConcurrentDictionaryTuple(),
    ];

    private sealed class ExactMatchRequests(int capacity) : IThroughputTarget
    {
        private readonly ExactMatchCache<string> _cache = new(capacity);

        public string Name => "ExactMatchCache.TryGet (5 fields)";

        public bool Read(int request) =>
            _cache.TryGet(Arriving.UserMessage, Arriving.SystemPrompt, Arriving.Model, Arriving.Temperature, request, out _);

        public void Write(int request) =>
            _cache.Put(Stored.UserMessage, Stored.SystemPrompt, Stored.Model, Stored.Temperature, request, CannedResponse.Text);
    }

    private sealed class ExactMatchKeys : IThroughputTarget
    {
        private readonly ExactMatchCache<string> _cache;
        private readonly CacheKey[] _keys;

        public ExactMatchKeys(int capacity)
        {
            _cache = new ExactMatchCache<string>(capacity);
            _keys = new CacheKey[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _keys[i] = CacheKey.Create(Stored.UserMessage, Stored.SystemPrompt, Stored.Model, Stored.Temperature, i);
            }
        }

        public string Name => "ExactMatchCache.TryGet (precomputed CacheKey)";

        public bool Read(int request) => _cache.TryGet(in _keys[request], out _);

        public void Write(int request) => _cache.Put(in _keys[request], CannedResponse.Text);
    }

    private sealed class SeedPort(int capacity) : IThroughputTarget
    {
        private readonly SeedLruCache<string> _cache = new(capacity);

        public string Name => "Seed port";

        public bool Read(int request) =>
            _cache.TryGet(Arriving.UserMessage, Arriving.SystemPrompt, Arriving.Model, Arriving.Temperature, request, out _);

        public void Write(int request) =>
            _cache.Put(Stored.UserMessage, Stored.SystemPrompt, Stored.Model, Stored.Temperature, request, CannedResponse.Text);
    }

    private sealed class MemoryCacheSeedKey(int capacity) : IThroughputTarget, IDisposable
    {
        private static readonly MemoryCacheEntryOptions SizeOne = new() { Size = 1 };
        private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = capacity });

        public string Name => "MemoryCache (seed key)";

        public bool Read(int request) =>
            _cache.TryGetValue(Key(Arriving, request), out _);

        public void Write(int request) => _cache.Set(Key(Stored, request), CannedResponse.Text, SizeOne);

        public void Dispose() => _cache.Dispose();

        private static string Key(ChatRequest r, int request) =>
            SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, request);
    }

    private sealed class BitFasterTuple(int capacity) : IThroughputTarget
    {
        private readonly ConcurrentLru<(string, string, string, float, int), string> _cache = new(capacity);

        public string Name => "BitFaster ConcurrentLru (tuple)";

        public bool Read(int request) => _cache.TryGet(Arriving.WithMaxTokensTuple(request), out _);

        public void Write(int request) => _cache.AddOrUpdate(Stored.WithMaxTokensTuple(request), CannedResponse.Text);
    }

    private sealed class ConcurrentDictionaryTuple : IThroughputTarget
    {
        private readonly ConcurrentDictionary<(string, string, string, float, int), string> _cache = new();

        public string Name => "ConcurrentDictionary (tuple)";

        public bool Read(int request) => _cache.TryGetValue(Arriving.WithMaxTokensTuple(request), out _);

        public void Write(int request) => _cache[Stored.WithMaxTokensTuple(request)] = CannedResponse.Text;
    }

    private static (string, string, string, float, int) WithMaxTokensTuple(this ChatRequest r, int maxTokens) =>
        (r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, maxTokens);
}
