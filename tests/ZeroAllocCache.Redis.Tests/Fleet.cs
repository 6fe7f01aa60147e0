using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

using StackExchange.Redis;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Redis.Tests;

/// <summary>
/// Replicas of one cache on one real Redis: each with its own multiplexer, backplane and RedisCache connection, as
/// separate processes would have. A fleet takes a name and a key prefix of its own, so fleets on one server never meet.
/// </summary>
internal sealed class Fleet : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _caches = [];
    private readonly List<IDisposable> _resources = [];

    public Fleet(RedisServer server, string? name = null)
    {
        Server = server;
        string id = Guid.NewGuid().ToString("N")[..10];
        Name = name ?? "fleet-" + id;
        Prefix = "zac-test-" + id + ":";
    }

    public RedisServer Server { get; }

    public string Name { get; }

    public string Prefix { get; }

    /// <summary>
    /// The replicas' store timeout: 5 s by default, so that a CI machine running several test assemblies on 2 cores never
    /// turns a slow call into a failure the test did not ask for; the outage tests set a short one, which is what they
    /// measure.
    /// </summary>
    public TimeSpan DistributedTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a replica waits on another's lock: long, so that a test that sees a waiter go on knows why.</summary>
    public TimeSpan DistributedLockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public ConnectionMultiplexer Connect()
    {
        ConnectionMultiplexer multiplexer = ConnectionMultiplexer.Connect(Server.Configuration);
        _resources.Add(multiplexer);
        return multiplexer;
    }

    public ExactMatchCache<string> Replica(Action<ExactMatchCacheOptions<string>>? configure = null, bool distributed = true, string? channel = null)
    {
        RedisCacheBackplane backplane = new(Connect(), channel ?? RedisCacheBackplane.DefaultChannel);
        _resources.Add(backplane);
        ExactMatchCacheOptions<string> options = new()
        {
            Name = Name,
            Backplane = backplane,
            DistributedKeyPrefix = Prefix,
            DistributedTimeout = DistributedTimeout,
            DistributedRetryAfter = TimeSpan.FromMilliseconds(300),
            DistributedLockTimeout = DistributedLockTimeout,
        };
        if (distributed)
        {
            RedisCache store = new(Options.Create(new RedisCacheOptions { Configuration = Server.Configuration }));
            _resources.Add(store);
            _ = store.Get(Prefix + "!warm-up"); // connected before the test: a handshake is no part of what is tested
            options.DistributedCache = store;
        }

        configure?.Invoke(options);
        ExactMatchCache<string> cache = new(options);
        _caches.Add(cache);
        return cache;
    }

    /// <summary>A store of its own, on the fleet's server, that holds up or fails what the test says (see <see cref="HeldStore"/>).</summary>
    public HeldStore NewHeldStore(in CacheKey heldKey)
    {
        RedisCache store = new(Options.Create(new RedisCacheOptions { Configuration = Server.Configuration }));
        _resources.Add(store);
        _ = store.Get(Prefix + "!warm-up");
        return new HeldStore(store, StoreKey(heldKey));
    }

    /// <summary>The store key of a cache key, as the fleet's caches write it.</summary>
    public string StoreKey(in CacheKey key)
    {
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        key.CopyTo(digest);
        return Prefix + System.Buffers.Text.Base64Url.EncodeToString(digest);
    }

    public ExactMatchCache<string>[] Replicas(int count, Action<ExactMatchCacheOptions<string>>? configure = null) =>
        [.. Enumerable.Range(0, count).Select(_ => Replica(configure))];

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable cache in _caches)
        {
            await cache.DisposeAsync();
        }

        foreach (IDisposable resource in Enumerable.Reverse(_resources))
        {
            resource.Dispose();
        }
    }
}
