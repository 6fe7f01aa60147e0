using System.Diagnostics.CodeAnalysis;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// Where one request's response is cached: the cache's own entries or a partition's, and the TTL it is stored with
/// (its own, or <see langword="null"/> for the cache's). A struct, so that a request without either allocates nothing.
/// </summary>
internal readonly struct CacheTarget(ExactMatchCache<ChatResponse> cache, CachePartition<ChatResponse>? partition, TimeSpan? ttl)
{
    public bool TryGet(in CacheKey key, [MaybeNullWhen(false)] out ChatResponse response) =>
        partition is null ? cache.TryGet(in key, out response) : partition.TryGet(in key, out response);

    public void Put(in CacheKey key, ChatResponse response)
    {
        switch ((partition, ttl))
        {
            case (null, null): cache.Put(in key, response); break;
            case (null, { } own): cache.Put(in key, response, own); break;
            case ({ } p, null): p.Put(in key, response); break;
            case ({ } p, { } own): p.Put(in key, response, own); break;
        }
    }

    public ValueTask<ChatResponse> GetOrAddAsync<TState>(
        CacheKey key, TState state, Func<TState, CancellationToken, ValueTask<ChatResponse>> factory, CancellationToken cancellationToken) =>
        (partition, ttl) switch
        {
            (null, null) => cache.GetOrAddAsync(key, state, factory, cancellationToken),
            (null, { } own) => cache.GetOrAddAsync(key, state, factory, own, cancellationToken),
            ({ } p, null) => p.GetOrAddAsync(key, state, factory, cancellationToken),
            ({ } p, { } own) => p.GetOrAddAsync(key, state, factory, own, cancellationToken),
        };
}
