using ZeroAllocCache;
using ZeroAllocCache.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds an <see cref="ExactMatchCachingChatClient"/> to an <see cref="IChatClient"/> pipeline.</summary>
public static class ExactMatchCachingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="ExactMatchCachingChatClient"/> as the next stage of the pipeline: repeated requests are
    /// answered from <paramref name="cache"/> without calling the stages after it.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="cache">
    /// The cache of responses. When <see langword="null"/>, an <see cref="ExactMatchCache{TValue}"/> of
    /// <see cref="ChatResponse"/> is resolved from the builder's <see cref="IServiceProvider"/> each time the
    /// pipeline is built.
    /// </param>
    /// <param name="configure">Configures the client, for example its <see cref="ExactMatchCachingChatClient.MetricsName"/>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// At build time: no cache was given and the service provider has none registered.
    /// </exception>
    /// <remarks>
    /// Unlike <c>UseDistributedCache</c>, responses are kept as objects, not JSON: a hit returns the stored
    /// <see cref="ChatResponse"/> itself, which callers must treat as immutable.
    /// </remarks>
    public static ChatClientBuilder UseExactMatchCache(
        this ChatClientBuilder builder,
        ExactMatchCache<ChatResponse>? cache = null,
        Action<ExactMatchCachingChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            ExactMatchCache<ChatResponse> resolved = cache
                ?? services.GetService(typeof(ExactMatchCache<ChatResponse>)) as ExactMatchCache<ChatResponse>
                ?? throw new InvalidOperationException(
                    "UseExactMatchCache was given no cache, and the service provider has no ExactMatchCache<ChatResponse>. " +
                    "Register one with services.AddExactMatchCache<ChatResponse>(), or pass one to UseExactMatchCache.");
            return Create(innerClient, resolved, configure);
        });
    }

    private static ExactMatchCachingChatClient Create(
        IChatClient innerClient, ExactMatchCache<ChatResponse> cache, Action<ExactMatchCachingChatClient>? configure)
    {
        ExactMatchCachingChatClient client = new(innerClient, cache);
        configure?.Invoke(client);
        return client;
    }
}
