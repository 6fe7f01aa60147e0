using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>The second level through dependency injection: the container's store, and when it is not used.</summary>
public sealed class DistributedRegistrationTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public void A_registered_distributed_cache_becomes_the_second_level()
    {
        ServiceCollection services = new();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration);
        services.AddExactMatchCache<string>();
        using ServiceProvider provider = services.BuildServiceProvider();

        ExactMatchCache<string> cache = provider.GetRequiredService<ExactMatchCache<string>>();

        Assert.Same(provider.GetRequiredService<IDistributedCache>(), cache.DistributedCache);
        Assert.IsAssignableFrom<RedisCache>(cache.DistributedCache);
    }

    [Fact]
    public void A_MemoryDistributedCache_in_the_container_is_not_a_second_level()
    {
        ServiceCollection services = new();
        services.AddDistributedMemoryCache();
        services.AddExactMatchCache<string>();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<ExactMatchCache<string>>().DistributedCache);
    }

    [Fact]
    public void UseDistributedCache_false_keeps_a_cache_in_memory()
    {
        ServiceCollection services = new();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration);
        services.AddExactMatchCache<string>("local", o => o.UseDistributedCache = false);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Null(provider.GetRequiredKeyedService<ExactMatchCache<string>>("local").DistributedCache);
    }

    [Fact]
    public async Task A_serializer_registered_in_the_container_is_used_for_its_type()
    {
        ServiceCollection services = new();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration);
        services.AddSingleton<IHybridCacheSerializer<Answer>>(new JsonCacheSerializer<Answer>(TestJsonContext.Default.Answer));
        services.AddExactMatchCache<Answer>(o =>
        {
            o.DistributedKeyPrefix = "di-" + Guid.NewGuid().ToString("N") + ":";
            o.DistributedTimeout = TimeSpan.FromSeconds(2); // a first call also connects, on a loaded CI machine
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        ExactMatchCache<Answer> cache = provider.GetRequiredService<ExactMatchCache<Answer>>();
        CacheKey key = CacheKey.Create("q", "s", "m", 0f, 1);

        await cache.PutAsync(key, new Answer("stored", 7));
        cache.Clear();

        Assert.Equal(new Answer("stored", 7), (await cache.TryGetAsync(key)).Value);
    }

    [Fact]
    public void Without_a_serializer_for_the_type_resolving_the_cache_fails_naming_the_type()
    {
        ServiceCollection services = new();
        services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration);
        services.AddExactMatchCache<Answer>();
        using ServiceProvider provider = services.BuildServiceProvider();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ExactMatchCache<Answer>>());

        Assert.Contains(typeof(Answer).FullName!, error.Message, StringComparison.Ordinal);
    }
}
