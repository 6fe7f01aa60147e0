using System.Diagnostics.CodeAnalysis;

using Microsoft.Extensions.Caching.Distributed;

namespace ZeroAllocCache;

/// <content>
/// The distributed second level: reads that fall through to it, writes that await it, and the clear it can see.
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    /// <summary>The distributed store of the second level, or <see langword="null"/> for a cache in memory only.</summary>
    public IDistributedCache? DistributedCache => _distributed?.Store;

    /// <summary>
    /// Looks up the value stored under <paramref name="key"/> in memory, then in the distributed level. A value found
    /// there is stored in memory for the rest of its TTL.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="cancellationToken">Ends the wait for the distributed store.</param>
    /// <returns>
    /// Whether the value was found, and the value. A hit in memory completes synchronously and allocates nothing. The
    /// distributed store's failures and timeouts are misses, never exceptions.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<CacheLookup<TValue>> TryGetAsync(CacheKey key, CancellationToken cancellationToken = default)
    {
        if (TryGet(in key, out TValue? value))
        {
            return new ValueTask<CacheLookup<TValue>>(new CacheLookup<TValue>(true, value));
        }

        return _distributed is null
            ? new ValueTask<CacheLookup<TValue>>(default(CacheLookup<TValue>))
            : TryGetFromDistributedAsync(key, cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> in memory at once, then in the distributed level,
    /// after any write queued before it.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Ends the wait; the write itself still happens.</param>
    /// <returns>
    /// A task that completes when the distributed store has the entry, has failed to take it (counted in
    /// <see cref="CacheStats.DistributedErrors"/>, never thrown), or has not answered within twice
    /// <see cref="ExactMatchCacheOptions{TValue}.DistributedTimeout"/> (the write then stays queued); at once without
    /// a distributed level.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task PutAsync(CacheKey key, TValue value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long now = _timeProvider.GetTimestamp();
        using (_lock.Enter())
        {
            StoreUnderLock(key, value, now);
        }

        DateTimeOffset created = _timeProvider.GetUtcNow();
        if (_distributed is { } distributed)
        {
            return distributed.SetAsync(key, value, created, ExpiryOf(created), cancellationToken);
        }

        return _backplane?.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, key, created)) ?? Task.CompletedTask;
    }

    /// <summary>
    /// Removes the entry stored under <paramref name="key"/> from memory at once, then from the distributed level,
    /// after any write queued before it.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="cancellationToken">Ends the wait; the removal itself still happens.</param>
    /// <returns>
    /// Whether an entry was stored in memory under the key, once the distributed store has removed it, failed to, or
    /// not answered within twice the timeout (a removal that does not reach the store is replayed when it answers
    /// again).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> InvalidateAsync(CacheKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool removed = InvalidateInMemory(key);
        DateTimeOffset at = _timeProvider.GetUtcNow();
        if (_distributed is { } distributed)
        {
            await distributed.RemoveAsync(key, at, cancellationToken).ConfigureAwait(false);
        }
        else if (_backplane is { } backplane)
        {
            await backplane.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, key, at)).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>
    /// Removes every entry from memory, as <see cref="Clear"/> does, and hides every entry of the distributed level
    /// stored before now: once the task completes, no entry stored before the call is returned from either level by
    /// this cache; replicas that read the same store stop returning them within
    /// <see cref="ExactMatchCacheOptions{TValue}.DistributedClearCheckInterval"/>, and with a backplane they drop
    /// them from their memory too as soon as they hear of it.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait; the clear itself still happens.</param>
    /// <returns>
    /// A task that completes when the distributed store has the clear's time, has failed to take it, or has not
    /// answered within twice the timeout (the clear is then replayed when the store answers again; this cache ignores
    /// older entries at once).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task ClearAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Clear();
        DateTimeOffset at = _timeProvider.GetUtcNow();
        if (_distributed is { } distributed)
        {
            return distributed.ClearAsync(at, cancellationToken);
        }

        return _backplane?.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Cleared, default, at)) ?? Task.CompletedTask;
    }

    private async ValueTask<CacheLookup<TValue>> TryGetFromDistributedAsync(CacheKey key, CancellationToken cancellationToken)
    {
        DistributedRead<TValue> read = await _distributed!.TryReadAsync(key, cancellationToken).ConfigureAwait(false);
        if (!FreshFromDistributed(read, out TValue? value, out long timestamp))
        {
            return default;
        }

        using (_lock.Enter())
        {
            StoreUnderLock(key, value, timestamp);
        }

        return new CacheLookup<TValue>(true, value);
    }

    // A value read from the distributed level, with the memory timestamp that gives it its age there: it lives on
    // in memory for what remains of this cache's TTL. False when there was none, or none fresh by this cache's TTL.
    private bool FreshFromDistributed(in DistributedRead<TValue> read, [MaybeNullWhen(false)] out TValue value, out long timestamp)
    {
        value = read.Value!; // a found entry's value, as its serializer gave it
        timestamp = 0;
        if (!read.Found)
        {
            return false;
        }

        TimeSpan age = _timeProvider.GetUtcNow() - read.Created;
        if (age > _ttl)
        {
            return false;
        }

        timestamp = TimestampOfAge(_timeProvider.GetTimestamp(), age);
        return true;
    }

    // Invalidate's memory half; its distributed half is the caller's.
    private bool InvalidateInMemory(in CacheKey key)
    {
        using (_lock.Enter())
        {
            DetachCall(key);
            TellLoadsRemoved(key);
            int index = _index.Find(_pool.Entries, key);
            if (index == LruList.None)
            {
                return false;
            }

            RemoveEntry(index);
            return true;
        }
    }
}
