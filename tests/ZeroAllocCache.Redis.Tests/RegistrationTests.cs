using Microsoft.Extensions.DependencyInjection;

using StackExchange.Redis;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Redis.Tests;

/// <summary><c>AddExactMatchCache&lt;T&gt;().WithRedisBackplane()</c>: the container's multiplexer, one backplane a channel.</summary>
public sealed class RegistrationTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public void WithRedisBackplane_gives_the_cache_a_backplane_over_the_registered_multiplexer()
    {
        ServiceCollection services = new();
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Configuration));
        services.AddExactMatchCache<string>("chat").WithRedisBackplane();
        services.AddExactMatchCache<string>("summaries").WithRedisBackplane();
        services.AddExactMatchCache<string>("other channel").WithRedisBackplane("elsewhere");
        using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredKeyedService<ExactMatchCache<string>>("chat");
        provider.GetRequiredKeyedService<ExactMatchCache<string>>("summaries");
        provider.GetRequiredKeyedService<ExactMatchCache<string>>("other channel");

        RedisCacheBackplane shared = provider.GetRequiredKeyedService<RedisCacheBackplane>(RedisCacheBackplane.DefaultChannel);
        RedisCacheBackplane elsewhere = provider.GetRequiredKeyedService<RedisCacheBackplane>("elsewhere");
        Assert.Equal("zeroalloccache", shared.Channel);
        Assert.Equal("elsewhere", elsewhere.Channel);
    }

    [Fact]
    public async Task Two_containers_replicas_of_one_named_cache_hear_each_other()
    {
        await using ServiceProvider first = Container();
        await using ServiceProvider second = Container();
        ExactMatchCache<string> one = first.GetRequiredKeyedService<ExactMatchCache<string>>("chat");
        ExactMatchCache<string> two = second.GetRequiredKeyedService<ExactMatchCache<string>>("chat");
        CacheKey key = CacheKey.Create("q", "s", "m", 0f, 1);
        two.Put(key, "stale");

        await one.InvalidateAsync(key);

        for (int i = 0; i < 1_000 && two.TryGet(key, out _); i++)
        {
            await Task.Delay(10);
        }

        Assert.False(two.TryGet(key, out _));
    }

    [Fact]
    public void Null_and_empty_arguments_are_rejected_by_name()
    {
        ServiceCollection services = new();
        Assert.Equal("channel", Assert.Throws<ArgumentException>(() => services.AddExactMatchCache<string>().WithRedisBackplane(" ")).ParamName);
        Assert.Equal("multiplexer", Assert.Throws<ArgumentNullException>(() => new RedisCacheBackplane(null!)).ParamName);
    }

    private ServiceProvider Container()
    {
        ServiceCollection services = new();
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Configuration));
        services.AddExactMatchCache<string>("chat").WithRedisBackplane("registration-" + redis.Port);
        return services.BuildServiceProvider();
    }
}
