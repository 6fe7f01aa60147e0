using System.Buffers;

using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 15's three reads of one 1 KB answer in a distributed store, over the store a subclass supplies: the store's
/// own <see cref="IBufferDistributedCache"/> read of the bytes an ExactMatchCache entry holds, an ExactMatchCache hit in
/// the store, and <see cref="HybridCache"/>'s with its memory level switched off.
/// </summary>
/// <remarks>
/// The ExactMatchCache's memory level holds one entry and the calls alternate two keys, so every call misses memory
/// and hits the store (and keeps what it found in memory, as a hit in the store does).
/// </remarks>
public abstract class DistributedHitContenders : IDisposable
{
    /// <summary>The answer every contender reads.</summary>
    protected static readonly string Answer = new('a', 1024);

    private static readonly HybridCacheEntryOptions DistributedOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheRead | HybridCacheEntryFlags.DisableLocalCacheWrite,
    };

    private readonly CacheKey[] _keys = [CacheKey.Create("first", "system", "model", 0.2f, 512), CacheKey.Create("second", "system", "model", 0.2f, 512)];
    private ExactMatchCache<string> _twoLevel = null!;
    private ServiceProvider _services = null!;
    private HybridCache _hybrid = null!;
    private IBufferDistributedCache _store = null!;
    private ArrayBufferWriter<byte> _raw = null!;
    private string _rawKey = null!;
    private int _next;

    /// <summary>Stores the answer under both keys for each contender, and checks that each finds it.</summary>
    [GlobalSetup]
    public virtual void Setup()
    {
        _store = CreateStore();
        _twoLevel = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { MaxSize = 1, DistributedCache = _store, DistributedTimeout = TimeSpan.FromSeconds(2) });
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

    /// <summary>Disposes the caches, then what the subclass holds.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the caches; a subclass disposes its store after calling this.</summary>
    /// <param name="disposing">Whether <see cref="Dispose()"/> called it.</param>
    protected virtual void Dispose(bool disposing)
    {
        _twoLevel?.Dispose();
        _services?.Dispose();
    }

    /// <summary>The store the contenders read.</summary>
    protected abstract IBufferDistributedCache CreateStore();
}
