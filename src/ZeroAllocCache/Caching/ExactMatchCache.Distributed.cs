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
            : TryGetFromDistributedAsync(key, partition: null, cancellationToken);
    }

    /// <summary>A partition's <see cref="TryGetAsync"/>.</summary>
    internal ValueTask<CacheLookup<TValue>> TryGetAsyncIn(PartitionState partition, CacheKey key, CancellationToken cancellationToken)
    {
        if (TryGetInPartition(in key, partition, out TValue? value))
        {
            return new ValueTask<CacheLookup<TValue>>(new CacheLookup<TValue>(true, value));
        }

        return _distributed is null
            ? new ValueTask<CacheLookup<TValue>>(default(CacheLookup<TValue>))
            : TryGetFromDistributedAsync(key, partition, cancellationToken);
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
    public Task PutAsync(CacheKey key, TValue value, CancellationToken cancellationToken = default) =>
        PutAsyncCore(key, partition: null, value, cancellationToken);

    /// <summary>A partition's <see cref="PutAsync"/>.</summary>
    internal Task PutAsyncCore(CacheKey key, PartitionState? partition, TValue value, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan? ownTtl = OwnTtlOf(value);
        long size = SizeOf(value);
        long now = _timeProvider.GetTimestamp();
        DateTimeOffset created = _timeProvider.GetUtcNow();
        using (_lock.Enter())
        {
            bool stored = StoreUnderLock(key, partition, value, now, size, ownTtl);
            if (_distributed is { } distributed)
            {
                // Queued with the memory change (the wait is the caller's, outside the lock): see PutCore.
                return stored
                    ? distributed.SetAsync(key, partition?.Name, value, created, ExpiryOf(created, ownTtl), cancellationToken)
                    : distributed.RemoveAsync(key, partition?.Name, created, cancellationToken);
            }
        }

        return _backplane?.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, key, created, partition?.Name)) ?? Task.CompletedTask;
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
    public Task<bool> InvalidateAsync(CacheKey key, CancellationToken cancellationToken = default) =>
        InvalidateAsyncCore(key, partition: null, cancellationToken);

    /// <summary>A partition's <see cref="InvalidateAsync"/>.</summary>
    internal async Task<bool> InvalidateAsyncCore(CacheKey key, PartitionState? partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset at = _timeProvider.GetUtcNow();
        bool removed;
        Task<bool>? removal;
        using (_lock.Enter())
        {
            removed = InvalidateUnderLock(key, partition);
            removal = _distributed?.RemoveAsync(key, partition?.Name, at, cancellationToken); // queued with the memory change
        }

        if (removal is not null)
        {
            await removal.ConfigureAwait(false);
        }
        else if (_backplane is { } backplane)
        {
            await backplane.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, key, at, partition?.Name)).ConfigureAwait(false);
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
        DateTimeOffset at = _timeProvider.GetUtcNow();

        // The distributed level refuses older entries before memory empties: a read that has decoded one by then took
        // its fill ticket before the clear, which refuses it.
        _distributed?.ObserveClear(at);
        Clear();
        if (_distributed is { } distributed)
        {
            return distributed.ClearAsync(at, cancellationToken);
        }

        return _backplane?.PublishAsync(new CacheBackplaneMessage(CacheBackplaneMessageKind.Cleared, default, at)) ?? Task.CompletedTask;
    }

    private async ValueTask<CacheLookup<TValue>> TryGetFromDistributedAsync(CacheKey key, PartitionState? partition, CancellationToken cancellationToken)
    {
        if (await ReadFreshAsync(_distributed!, key, partition?.Name, cancellationToken).ConfigureAwait(false) is not { } fill)
        {
            return default;
        }

        long size = SizeOf(fill.Value);
        using (_lock.Enter())
        {
            if (_fillGuard!.Admits(fill.Ticket))
            {
                StoreUnderLock(key, partition, fill.Value, fill.Timestamp, size, fill.OwnTtl, fromStore: true);
            }
            else if (FindFresh(key, partition, _timeProvider.GetTimestamp(), clockRead: true) is var index && index != LruList.None)
            {
                return new CacheLookup<TValue>(true, _pool.Entries[index].Value); // put while the store answered
            }
        }

        // Refused or not, the value was the store's when it was read: it is the caller's answer.
        return new CacheLookup<TValue>(true, fill.Value);
    }

    // Reads the key from the distributed level, with a fill ticket taken first: a fresh value, with the memory
    // timestamp that gives it its age there (it lives on in memory for what remains of its TTL: its own, when the
    // writer gave it one, else this cache's); null when there was none, or none fresh.
    private async ValueTask<DistributedFill?> ReadFreshAsync(DistributedLevel<TValue> distributed, CacheKey key, string? partition, CancellationToken cancellationToken)
    {
        DistributedFillGuard.Ticket ticket;
        using (_lock.Enter())
        {
            ticket = _fillGuard!.Take(key);
        }

        DistributedRead<TValue> read = await distributed.TryReadAsync(key, partition, cancellationToken).ConfigureAwait(false);
        return FreshFromDistributed(read, ticket, out DistributedFill fill) ? fill : null;
    }

    private bool FreshFromDistributed(in DistributedRead<TValue> read, DistributedFillGuard.Ticket ticket, out DistributedFill fill)
    {
        fill = default;
        if (!read.Found)
        {
            return false;
        }

        TimeSpan? ownTtl = read.Expires is { } expires && expires - read.Created is var lifetime && lifetime != _ttl && lifetime > TimeSpan.Zero
            ? lifetime
            : null;
        TimeSpan age = _timeProvider.GetUtcNow() - read.Created;
        if (age > (ownTtl ?? _ttl))
        {
            return false;
        }

        fill = new DistributedFill(read.Value!, TimestampOfAge(_timeProvider.GetTimestamp(), age), ownTtl, ticket);
        return true;
    }

    // Under the lock: the key leaves memory, and nothing in progress (a call, a snapshot load, a read of the
    // distributed level) may bring its old value back; a call waiting for the fleet's value goes on when the change
    // comes from the fleet.
    private bool InvalidateUnderLock(in CacheKey key, PartitionState? partition, bool fromFleet = false)
    {
        int id = partition?.Id ?? 0;
        DetachCall(new CallKey(key, id), fromFleet);
        TellLoadsRemoved(key, id);
        _fillGuard?.Changed(key);
        int index = _index.Find(_pool.Entries, key, id);
        if (index == LruList.None)
        {
            return false;
        }

        RemoveEntry(index);
        return true;
    }

    /// <summary>
    /// A value for memory from the distributed level: the value, its memory timestamp, its own TTL if any, and the
    /// ticket that says whether it may still go into memory.
    /// </summary>
    private readonly record struct DistributedFill(TValue Value, long Timestamp, TimeSpan? OwnTtl, DistributedFillGuard.Ticket Ticket);
}
