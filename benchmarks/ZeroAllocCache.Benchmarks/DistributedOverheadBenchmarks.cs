using System.Buffers;
using System.Collections.Concurrent;

using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 15, the part a network hides: what a distributed hit costs on top of the store's own read, with a store in
/// this process that answers at once. <see cref="DistributedLevelBenchmarks"/> times the same reads on Redis, where a
/// round trip of 150 µs and its thread hops drown a difference of a microsecond.
/// </summary>
[MemoryDiagnoser]
public class DistributedOverheadBenchmarks : IDisposable
{
    private static readonly string Answer = new('a', 1024);

    private readonly CacheKey[] _keys = [CacheKey.Create("first", "system", "model", 0.2f, 512), CacheKey.Create("second", "system", "model", 0.2f, 512)];
    private readonly InstantStore _store = new();
    private ExactMatchCache<string> _twoLevel = null!;
    private ServiceProvider _services = null!;
    private HybridCache _hybrid = null!;
    private ArrayBufferWriter<byte> _raw = null!;
    private string _rawKey = null!;
    private int _next;

    private static readonly HybridCacheEntryOptions DistributedOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableLocalCacheWrite,
    };

    /// <summary>Stores the answer under both keys for each contender.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _twoLevel = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = 1, DistributedCache = _store });
        foreach (CacheKey key in _keys)
        {
            _twoLevel.PutAsync(key, Answer).GetAwaiter().GetResult();
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
        return await _store.TryGetAsync(_rawKey, _raw);
    }

    /// <summary>An ExactMatchCache hit in the store: memory misses, the entry is read, checked, deserialized and kept in memory.</summary>
    [Benchmark]
    public async Task<string?> ExactMatchCache_distributed_hit()
    {
        CacheLookup<string> found = await _twoLevel.TryGetAsync(_keys[_next++ & 1]);
        return found.Value;
    }

    /// <summary>HybridCache reading the store, its memory level switched off for the call.</summary>
    [Benchmark]
    public async Task<string> HybridCache_distributed_hit() =>
        await _hybrid.GetOrCreateAsync((_next++ & 1) == 0 ? "first" : "second", static _ => ValueTask.FromResult("missed"), DistributedOnly);

    /// <summary>Disposes the caches.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _twoLevel?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    // A store that keeps its entries in a dictionary and answers every call synchronously; expiry is ignored, as no
    // benchmark outlives its entries.
    private sealed class InstantStore : IBufferDistributedCache
    {
        private readonly ConcurrentDictionary<string, byte[]> _entries = new();

        public byte[]? Get(string key) => _entries.TryGetValue(key, out byte[]? value) ? value : null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

        public bool TryGet(string key, IBufferWriter<byte> destination)
        {
            if (!_entries.TryGetValue(key, out byte[]? value))
            {
                return false;
            }

            destination.Write(value);
            return true;
        }

        public ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default) =>
            new(TryGet(key, destination));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _entries[key] = value;

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return Task.CompletedTask;
        }

        public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => _entries[key] = value.ToArray();

        public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Set(key, value, options);
            return ValueTask.CompletedTask;
        }

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key) => _entries.TryRemove(key, out _);

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            Remove(key);
            return Task.CompletedTask;
        }
    }
}
