using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using StackExchange.Redis;

using ZeroAllocCache;
using ZeroAllocCache.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Gives a cache registered with <c>AddExactMatchCache</c> a <see cref="RedisCacheBackplane"/>.</summary>
public static class RedisBackplaneOptionsBuilderExtensions
{
    /// <summary>
    /// Sets the cache's <see cref="ExactMatchCacheOptions{TValue}.Backplane"/> to a <see cref="RedisCacheBackplane"/> on
    /// <paramref name="channel"/>, over the <see cref="IConnectionMultiplexer"/> registered in the container. Caches
    /// that name the same channel share one backplane (one subscription).
    /// </summary>
    /// <typeparam name="TValue">The cached value type.</typeparam>
    /// <param name="builder">The options builder that <c>AddExactMatchCache</c> returned.</param>
    /// <param name="channel">The pub/sub channel; <see cref="RedisCacheBackplane.DefaultChannel"/> by default.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="channel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is empty or white space.</exception>
    /// <remarks>When the cache is resolved, a container without an <see cref="IConnectionMultiplexer"/> throws an <see cref="InvalidOperationException"/>.</remarks>
    public static OptionsBuilder<ExactMatchCacheOptions<TValue>> WithRedisBackplane<TValue>(
        this OptionsBuilder<ExactMatchCacheOptions<TValue>> builder, string channel = RedisCacheBackplane.DefaultChannel)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        builder.Services.TryAddKeyedSingleton(channel, static (provider, key) =>
            new RedisCacheBackplane(provider.GetRequiredService<IConnectionMultiplexer>(), (string)key!));
        return builder.Configure<IServiceProvider>((options, provider) =>
            options.Backplane ??= provider.GetRequiredKeyedService<RedisCacheBackplane>(channel));
    }
}
