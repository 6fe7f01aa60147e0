using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>
/// Caches that share one real Redis through <see cref="RedisCache"/>, each with a connection of its own, as the
/// replicas of a service would. Each test takes a key prefix of its own, so tests sharing a server never meet.
/// </summary>
internal sealed class RedisReplicas : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _caches = [];
    private readonly List<RedisCache> _stores = [];

    public RedisReplicas(RedisServer server)
    {
        Server = server;
        Prefix = "test-" + Guid.NewGuid().ToString("N")[..12] + ":";
    }

    public RedisServer Server { get; }

    public string Prefix { get; }

    /// <summary>
    /// The replicas' store timeout: 2 s by default, generous for a CI machine that runs several test assemblies at once
    /// on 2 cores; the outage tests set a short one, which is what they measure.
    /// </summary>
    public TimeSpan DistributedTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public RedisCache NewStore()
    {
        RedisCache store = new(Options.Create(new RedisCacheOptions { Configuration = Server.Configuration }));
        _stores.Add(store);

        // Connected before the test starts: a first call's handshake on a loaded machine is no part of what is tested.
        if (Server.IsRunning)
        {
            _ = store.Get(Prefix + "!warm-up");
        }

        return store;
    }

    public ExactMatchCache<T> Replica<T>(Action<ExactMatchCacheOptions<T>>? configure = null)
    {
        ExactMatchCacheOptions<T> options = new()
        {
            DistributedCache = NewStore(),
            DistributedKeyPrefix = Prefix,
            DistributedTimeout = DistributedTimeout,
            DistributedRetryAfter = TimeSpan.FromMilliseconds(300),
        };
        configure?.Invoke(options);
        ExactMatchCache<T> cache = new(options);
        _caches.Add(cache);
        return cache;
    }

    /// <summary>The store key of a cache key, as the caches write it.</summary>
    public string StoreKey(in CacheKey key)
    {
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        key.CopyTo(digest);
        return Prefix + System.Buffers.Text.Base64Url.EncodeToString(digest);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable cache in _caches)
        {
            await cache.DisposeAsync();
        }

        foreach (RedisCache store in _stores)
        {
            store.Dispose();
        }
    }
}
