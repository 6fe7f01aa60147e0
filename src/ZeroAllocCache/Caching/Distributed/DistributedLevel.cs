using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace ZeroAllocCache;

/// <summary>
/// The second level of a cache: entries in an <see cref="IDistributedCache"/> shared by every replica, read when
/// memory misses and written in the background when memory changes.
/// </summary>
/// <remarks>
/// <para>
/// Every call to the store is bounded by the timeout, whether or not the store honours cancellation; a call that
/// fails or times out is a miss (or a skipped write), and the store is then skipped for the retry interval
/// (<see cref="StoreHealth"/>). Nothing the store does reaches a caller as an exception.
/// </para>
/// <para>
/// Writes go through a bounded queue drained by one worker, so that they keep their order. A write that fails is
/// tried again when the store is next worth calling, up to <see cref="WriteAttempts"/> times; while the store is
/// down the queue waits, and when it is full it drops its oldest write and counts it, so no caller ever waits.
/// Removals and clears that were dropped or gave up are kept and replayed when the store answers again, and
/// announced once they land, so an invalidation is not silently lost; a lost set is replayed as the removal of the
/// older value it was to replace, so it only costs a later miss.
/// </para>
/// <para>
/// While a set or removal of a key is queued or in flight, the store's copy is older than what this replica knows: a
/// read of the key answers with the latest of them, without a call to the store (a removal's answer is a miss). While a
/// removal waits for its replay, a read of the key is a miss, and asks for the replay. Writes are numbered in memory's
/// order, so that a replayed removal never lands before an older set of the same key.
/// </para>
/// <para>
/// A clear cannot enumerate the store's keys: it stores its time under a marker key instead, and reads treat entries
/// created before it as misses. A read fetches the marker with the entry (two pipelined requests) when the marker it
/// last read is older than the clear-check interval.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class DistributedLevel<TValue> : IAsyncDisposable
{
    private const int MaxPendingRemovals = 4096;

    /// <summary>How many times a queued write is tried before it is given up.</summary>
    private const int WriteAttempts = 3;

    private static readonly TimeSpan InvalidEntryLogInterval = TimeSpan.FromMinutes(1);

    private readonly IDistributedCache _store;
    private readonly IBufferDistributedCache? _bufferStore;
    private readonly IHybridCacheSerializer<TValue> _serializer;
    private readonly DistributedKeys _keys;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _flushTimeout;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _cacheName;
    private readonly ulong _typeTag = DistributedEntryFormat.TypeTag<TValue>();

    private readonly Channel<WriteOperation> _writes;
    private readonly Task _writer;

    // Cancelled when a dispose gives up its flush: the worker stops calling a store its owner may dispose next.
    private readonly CancellationTokenSource _stopWriting = new();

    // Removals that could not reach the store (and the removals of what sets that were lost left there), replayed when
    // it answers again, by the store's key.
    private readonly ConcurrentDictionary<CacheKey, PendingRemoval> _pendingRemovals = new();

    // 1 when _pendingRemovals may hold something: what every read checks, where the dictionary's IsEmpty would take
    // all of its locks. Set after an addition; cleared by the replay before it looks, and set again if it left any.
    private int _removalsPending;

    // The sets and removals of each store key that are queued or in flight: until they land, what the store holds
    // under the key is older than what this replica knows, so a read answers with the latest of them instead.
    private readonly ConcurrentDictionary<CacheKey, UnsettledWrites> _unsettled = new();

    // Numbers the writes in the order they were queued (for sets and removals, memory's order): a replayed removal
    // and a set of the same key are put in that order, whichever reaches the worker first.
    private long _sequence;

    private long _lastDropLog;

    // 1 while a replay is queued, so that reads that find something pending queue one, not one each.
    private int _replayQueued;

    // The latest clear that could not reach the store, replayed when it answers again, in UTC ticks; 0 when none.
    private long _pendingClearTicks;

    // The latest clear known here, made in this process or read from the store: entries created before it are stale.
    private long _clearedTicks;

    // The system-clock timestamp after which the marker must be read again; 0 before the first read.
    private long _clearCheckDue;
    private readonly long _clearCheckTicks;

    private long _hits;
    private long _misses;
    private long _errors;
    private long _droppedWrites;
    private long _invalidEntries;
    private long _lastInvalidEntryLog;

    public DistributedLevel(
        IDistributedCache store,
        IHybridCacheSerializer<TValue> serializer,
        ExactMatchCacheOptions<TValue> options,
        TimeProvider clock,
        ILogger logger,
        string cacheName)
    {
        _store = store;
        _bufferStore = store as IBufferDistributedCache;
        _serializer = serializer;
        _keys = new DistributedKeys(options.DistributedKeyPrefix);
        _timeout = options.DistributedTimeout;
        _clearCheckTicks = (long)(options.DistributedClearCheckInterval.TotalSeconds * TimeProvider.System.TimestampFrequency);
        _flushTimeout = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, options.DistributedTimeout.Ticks * 20));
        _clock = clock;
        _logger = logger;
        _cacheName = cacheName;
        Health = new StoreHealth(options.DistributedRetryAfter, logger, cacheName);
        _writes = Channel.CreateBounded<WriteOperation>(
            new BoundedChannelOptions(options.DistributedWriteQueueSize)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            },
            OnWriteDropped);
        _writer = Task.Run(DrainWritesAsync);
        _ = WarmUpAsync();
    }

    public StoreHealth Health { get; }

    /// <summary>
    /// Told of each write once it has reached the store or given up, in order: where the backplane announces it, so that
    /// a replica that hears of a change finds the new value in the store.
    /// </summary>
    public Action<CacheBackplaneMessage>? Written { get; set; }

    public IDistributedCache Store => _store;

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public long Errors => Volatile.Read(ref _errors);

    public long DroppedWrites => Volatile.Read(ref _droppedWrites);

    public long InvalidEntries => Volatile.Read(ref _invalidEntries);

    // Stores such as RedisCache connect on their first call, which can take longer than a request may wait: the cache
    // makes that call itself, at once, outside any request and outside the store's health (it reads the clear marker,
    // which every reader needs anyway).
    private async Task WarmUpAsync()
    {
        try
        {
            byte[]? marker = await _store.GetAsync(_keys.ClearMarker).WaitAsync(_flushTimeout).ConfigureAwait(false);
            ObserveClear(marker);
        }
        catch (Exception)
        {
            // A store that is down now is found down by the first request, which the timeout bounds.
        }
    }

    /// <summary>Sets the counters back to zero, as the cache's <c>Clear</c> does with its own.</summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref _hits, 0);
        Interlocked.Exchange(ref _misses, 0);
        Interlocked.Exchange(ref _errors, 0);
        Interlocked.Exchange(ref _droppedWrites, 0);
        Interlocked.Exchange(ref _invalidEntries, 0);
    }

    /// <summary>
    /// Reads the entry of <paramref name="key"/>: a miss when it is absent, expired, older than the last clear, not a
    /// valid entry of this cache, or when the store fails or takes longer than the timeout.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <param name="key">The entry's key.</param>
    /// <param name="partition">The entry's partition, or <see langword="null"/> for the cache's own entries.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public async ValueTask<DistributedRead<TValue>> TryReadAsync(CacheKey key, string? partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        key = PartitionKeys.Scoped(key, partition);

        // Lookups only: they take no lock, where an empty dictionary's IsEmpty takes all of them.
        if (_unsettled.TryGetValue(key, out UnsettledWrites? unsettled))
        {
            return OwnLatestWrite(unsettled.Latest);
        }

        if (_pendingRemovals.ContainsKey(key))
        {
            // The store's copy predates a removal that has yet to reach it; this read asks for the replay.
            Interlocked.Increment(ref _misses);
            if (Health.IsAvailable)
            {
                RequestReplayIfPending();
            }

            return default;
        }

        if (!Health.IsAvailable)
        {
            Interlocked.Increment(ref _misses);
            return default;
        }

        string storeKey = _keys.Of(key);
        PooledBufferWriter entry = PooledBufferWriter.Rent();
        long now = TimeProvider.System.GetTimestamp();

        // The timeout is the wait's, not the store's: stores such as RedisCache cannot cancel a request in flight, so
        // a token that fires would save nothing, and its timer would cost every read.
        Task<bool>? read = null;
        Task<byte[]?>? marker = null;
        Task? reads = null;
        try
        {
            read = ReadEntryAsync(storeKey, entry, cancellationToken);
            marker = now >= Volatile.Read(ref _clearCheckDue) ? _store.GetAsync(_keys.ClearMarker, cancellationToken) : null;
            reads = marker is null ? read : Task.WhenAll(read, marker);
            await reads.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // A store that ignores cancellation may still be writing into the buffer: it is returned once the store is
            // done (at once when the store threw before it had the buffer).
            ReleaseWhenDone(reads ?? read ?? Task.CompletedTask, entry);
            cancellationToken.ThrowIfCancellationRequested();
            RecordFailure("read", exception);
            Interlocked.Increment(ref _misses);
            return default;
        }

        try
        {
            Health.ReportSuccess();
            if (marker is not null)
            {
                ObserveClear(marker.Result);
                Volatile.Write(ref _clearCheckDue, now + _clearCheckTicks);
            }

            RequestReplayIfPending();
            DistributedRead<TValue> found = read!.Result ? Decode(key, entry.WrittenMemory) : default;
            Interlocked.Increment(ref found.Found ? ref _hits : ref _misses);
            return found;
        }
        finally
        {
            entry.Return();
        }
    }

    // A read of a key this replica is still writing: its latest set is what the store will hold (fresh, and not older
    // than the last clear), its latest removal says there is nothing.
    private DistributedRead<TValue> OwnLatestWrite(in WriteOperation latest)
    {
        bool found = latest.Kind == WriteKind.Set
            && (latest.Expires is not { } expires || expires > _clock.GetUtcNow())
            && latest.Created.UtcTicks >= ClearedTicks;
        Interlocked.Increment(ref found ? ref _hits : ref _misses);
        return found ? new DistributedRead<TValue>(true, latest.Value, latest.Created, latest.Expires) : default;
    }

    /// <summary>Queues the write of an entry (of a partition, when one is named); returns at once.</summary>
    public void EnqueueSet(in CacheKey key, string? partition, TValue value, DateTimeOffset created, DateTimeOffset? expires) =>
        Enqueue(new WriteOperation(WriteKind.Set, key, value, created, expires, Completion: null, partition));

    /// <summary>Queues the removal of an entry; returns at once.</summary>
    public void EnqueueRemove(in CacheKey key, string? partition, DateTimeOffset at) =>
        Enqueue(new WriteOperation(WriteKind.Remove, key, default, at, null, Completion: null, partition));

    /// <summary>
    /// Writes an entry after the writes queued before it; completes when the store has it, when it failed, or after
    /// twice the timeout (the write then stays queued).
    /// </summary>
    /// <returns>Whether the store acknowledged the write.</returns>
    public Task<bool> SetAsync(in CacheKey key, string? partition, TValue value, DateTimeOffset created, DateTimeOffset? expires, CancellationToken cancellationToken) =>
        EnqueueAndWait(new WriteOperation(WriteKind.Set, key, value, created, expires, NewCompletion(), partition), cancellationToken);

    /// <summary>Removes an entry after the writes queued before it.</summary>
    /// <returns>Whether the store acknowledged the removal; one that failed is replayed when the store answers again.</returns>
    public Task<bool> RemoveAsync(in CacheKey key, string? partition, DateTimeOffset at, CancellationToken cancellationToken) =>
        EnqueueAndWait(new WriteOperation(WriteKind.Remove, key, default, at, null, NewCompletion(), partition), cancellationToken);

    /// <summary>
    /// Hides every entry created before <paramref name="clearedAt"/>, here at once and for every replica once the
    /// store has the marker.
    /// </summary>
    /// <returns>Whether the store acknowledged the marker; one that failed is replayed when the store answers again.</returns>
    public Task<bool> ClearAsync(DateTimeOffset clearedAt, CancellationToken cancellationToken)
    {
        RaiseToAtLeast(ref _clearedTicks, clearedAt.UtcTicks);
        return EnqueueAndWait(new WriteOperation(WriteKind.Clear, default, default, clearedAt, null, NewCompletion()), cancellationToken);
    }

    /// <summary>Stops taking writes and flushes those queued, for a bounded time.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(_flushTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            DistributedLog.FlushIncomplete(_logger, _cacheName, _writes.Reader.Count);
            await _stopWriting.CancelAsync().ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void RaiseToAtLeast(ref long field, long value)
    {
        long current = Volatile.Read(ref field);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    // Returns the buffer to the pool, and observes the store's exception, once the store has let go of both.
    private static void ReleaseWhenDone(Task reads, PooledBufferWriter buffer) =>
        _ = reads.ContinueWith(
            static (task, state) =>
            {
                _ = task.Exception;
                ((PooledBufferWriter)state!).Return();
            },
            buffer,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private Task<bool> ReadEntryAsync(string storeKey, PooledBufferWriter entry, CancellationToken cancellationToken) =>
        _bufferStore is not null
            ? _bufferStore.TryGetAsync(storeKey, entry, cancellationToken).AsTask()
            : ReadEntryBytesAsync(storeKey, entry, cancellationToken);

    private async Task<bool> ReadEntryBytesAsync(string storeKey, PooledBufferWriter entry, CancellationToken cancellationToken)
    {
        byte[]? bytes = await _store.GetAsync(storeKey, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return false;
        }

        entry.Write(bytes);
        return true;
    }

    private DistributedRead<TValue> Decode(in CacheKey key, ReadOnlyMemory<byte> entry)
    {
        DistributedEntryFormat.Problem problem = DistributedEntryFormat.TryReadHeader(entry.Span, key, _typeTag, out DistributedEntryFormat.Header header);
        if (problem != DistributedEntryFormat.Problem.None)
        {
            RecordInvalidEntry(problem.ToString(), exception: null);
            return default;
        }

        DateTimeOffset now = _clock.GetUtcNow();
        if (header.Expires <= now || header.Created.UtcTicks < Volatile.Read(ref _clearedTicks))
        {
            return default;
        }

        TValue value;
        try
        {
            value = _serializer.Deserialize(new ReadOnlySequence<byte>(entry[DistributedEntryFormat.HeaderSize..]));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            RecordInvalidEntry("payload", exception);
            return default;
        }

        return new DistributedRead<TValue>(true, value, header.Created, header.Expires);
    }

    private void ObserveClear(byte[]? marker)
    {
        if (marker is { Length: sizeof(long) })
        {
            RaiseToAtLeast(ref _clearedTicks, BinaryPrimitives.ReadInt64LittleEndian(marker));
        }
    }

    private void RecordInvalidEntry(string problem, Exception? exception)
    {
        Interlocked.Increment(ref _invalidEntries);

        // One line a minute at most: a store full of foreign entries must not flood the log.
        if (IsTimeToLog(ref _lastInvalidEntryLog, _clock, InvalidEntryLogInterval))
        {
            if (exception is null)
            {
                DistributedLog.InvalidEntry(_logger, _cacheName, problem);
            }
            else
            {
                DistributedLog.PayloadUnreadable(_logger, _cacheName, exception);
            }
        }
    }

    private void RecordFailure(string operation, Exception exception)
    {
        Interlocked.Increment(ref _errors);
        Health.ReportFailure(operation, exception is TimeoutException or OperationCanceledException ? null : exception);
    }

    private void Enqueue(WriteOperation operation)
    {
        operation = operation with { Sequence = Interlocked.Increment(ref _sequence) };
        Unsettle(operation);
        if (!_writes.Writer.TryWrite(operation))
        {
            // Disposed: the write can no longer be flushed.
            OnWriteDropped(operation);
        }
    }

    private void Unsettle(in WriteOperation operation)
    {
        if (operation.Kind is WriteKind.Set or WriteKind.Remove)
        {
            _unsettled.AddOrUpdate(
                operation.StoreKey,
                static (_, latest) => new UnsettledWrites(1, latest),
                static (_, writes, latest) => new UnsettledWrites(writes.Count + 1, latest),
                operation);
        }
    }

    // Once a set or removal has landed, or been remembered for a replay.
    private void Settle(in WriteOperation operation)
    {
        if (operation.Kind is not (WriteKind.Set or WriteKind.Remove))
        {
            return;
        }

        CacheKey storeKey = operation.StoreKey;
        while (_unsettled.TryGetValue(storeKey, out UnsettledWrites? writes))
        {
            bool settled = writes.Count == 1
                ? _unsettled.TryRemove(new KeyValuePair<CacheKey, UnsettledWrites>(storeKey, writes))
                : _unsettled.TryUpdate(storeKey, new UnsettledWrites(writes.Count - 1, writes.Latest), writes);
            if (settled)
            {
                return;
            }
        }
    }

    // A caller waits for its write at most twice the timeout (one call in front of it, and its own): past that it is
    // told the write is not acknowledged, and the write stays queued. It is queued whatever the token says: memory has
    // changed already, and the token only ends the wait.
    private async Task<bool> EnqueueAndWait(WriteOperation operation, CancellationToken cancellationToken)
    {
        Enqueue(operation);
        try
        {
            return await operation.Completion!.Task.WaitAsync(_timeout * 2, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void OnWriteDropped(WriteOperation dropped)
    {
        if (dropped.Kind == WriteKind.Replay)
        {
            Volatile.Write(ref _replayQueued, 0); // the next read that finds something pending queues another
            return;
        }

        Interlocked.Increment(ref _droppedWrites);
        Remember(dropped);
        Settle(dropped);
        dropped.Completion?.TrySetResult(false);

        // Once a second at most: a drop happens inside the cache's lock, on every put while the queue is full.
        if (IsTimeToLog(ref _lastDropLog, TimeProvider.System, TimeSpan.FromSeconds(1)))
        {
            DistributedLog.WriteDropped(_logger, _cacheName);
        }
    }

    // Whether interval has passed since the line last logged under last (a timestamp of clock, 0 before the first);
    // if so, this caller's is the line, and last moves to now.
    private static bool IsTimeToLog(ref long last, TimeProvider clock, TimeSpan interval)
    {
        long now = clock.GetTimestamp();
        long previous = Volatile.Read(ref last);
        return (previous == 0 || clock.GetElapsedTime(previous, now) >= interval)
            && Interlocked.CompareExchange(ref last, now, previous) == previous;
    }

    // What did not reach the store is replayed later: a removal, a clear, and for a set the removal of whatever older
    // value the store still holds under the key (the value itself is not kept: it only costs a later miss).
    private void Remember(in WriteOperation operation)
    {
        if (operation.Kind is WriteKind.Remove or WriteKind.Set && _pendingRemovals.Count < MaxPendingRemovals)
        {
            // The newest loss of a key is the one kept: its sequence says which set it outranks.
            _pendingRemovals.AddOrUpdate(
                operation.StoreKey,
                static (_, removal) => removal,
                static (_, kept, removal) => kept.Sequence > removal.Sequence ? kept : removal,
                new PendingRemoval(operation.Key, operation.Partition, operation.Created, operation.Sequence));
            Volatile.Write(ref _removalsPending, 1);
        }
        else if (operation.Kind == WriteKind.Clear)
        {
            RaiseToAtLeast(ref _pendingClearTicks, operation.Created.UtcTicks);
        }
    }

    private void RequestReplayIfPending()
    {
        if ((Volatile.Read(ref _pendingClearTicks) != 0 || Volatile.Read(ref _removalsPending) != 0)
            && Interlocked.CompareExchange(ref _replayQueued, 1, 0) == 0
            && !_writes.Writer.TryWrite(new WriteOperation(WriteKind.Replay, default, default, default, null, Completion: null)))
        {
            Volatile.Write(ref _replayQueued, 0);
        }
    }

    private async Task DrainWritesAsync()
    {
        try
        {
            await DrainUntilStoppedAsync(_stopWriting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposed, and the flush given up: what is still queued is dropped with the cache.
        }
    }

    private async Task DrainUntilStoppedAsync(CancellationToken stop)
    {
        await foreach (WriteOperation operation in _writes.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            if (operation.Kind == WriteKind.Replay)
            {
                Volatile.Write(ref _replayQueued, 0);
            }

            bool written = false;
            for (int attempt = 0; attempt < WriteAttempts && !written; attempt++)
            {
                // The queue waits for a store that is being skipped; callers never do (a full queue drops its oldest).
                // Until it is available, not for the time left: a delay rounds down to whole milliseconds, and a write
                // tried a moment early would spend an attempt without calling the store.
                while (Health.TimeUntilAvailable is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait + TimeSpan.FromMilliseconds(1), stop).ConfigureAwait(false);
                }

                stop.ThrowIfCancellationRequested();
                await ReplayPendingAsync(operation).ConfigureAwait(false);
                written = operation.Kind == WriteKind.Replay || await ApplyAsync(operation).ConfigureAwait(false);
            }

            if (!written)
            {
                Interlocked.Increment(ref _droppedWrites);
                Remember(operation);
            }
            else if (operation.Kind == WriteKind.Set
                && _pendingRemovals.TryGetValue(operation.StoreKey, out PendingRemoval pending) && pending.Sequence < operation.Sequence)
            {
                _pendingRemovals.TryRemove(new KeyValuePair<CacheKey, PendingRemoval>(operation.StoreKey, pending)); // replaced by this set
            }

            Settle(operation);

            // Announced even when the store did not take it (a replica that drops a stale entry only misses once), and
            // again once a replay has put right what it left in the store.
            if (Written is { } announce && operation.Kind != WriteKind.Replay)
            {
                announce(ToMessage(operation));
            }

            operation.Completion?.TrySetResult(written);
        }
    }

    private static CacheBackplaneMessage ToMessage(in WriteOperation operation) => operation.Kind switch
    {
        WriteKind.Set => new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, operation.Key, operation.Created, operation.Partition),
        WriteKind.Remove => new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, operation.Key, operation.Created, operation.Partition),
        _ => new CacheBackplaneMessage(CacheBackplaneMessageKind.Cleared, default, operation.Created),
    };

    /// <summary>The latest clear known here, in UTC ticks (0 when none): entries created before it are stale.</summary>
    public long ClearedTicks => Volatile.Read(ref _clearedTicks);

    /// <summary>A clear another replica announced: entries created before it are stale here too.</summary>
    public void ObserveClear(DateTimeOffset clearedAt) => RaiseToAtLeast(ref _clearedTicks, clearedAt.UtcTicks);

    // Replays what is pending before the worker's next write, except a key's removal queued after that write, which
    // must land after it.
    private async Task ReplayPendingAsync(WriteOperation next)
    {
        if (!Health.IsAvailable)
        {
            return;
        }

        long clearTicks = Interlocked.Exchange(ref _pendingClearTicks, 0);
        if (clearTicks != 0)
        {
            WriteOperation clear = new(WriteKind.Clear, default, default, new DateTimeOffset(clearTicks, TimeSpan.Zero), null, null);
            if (!await ApplyAsync(clear).ConfigureAwait(false))
            {
                RaiseToAtLeast(ref _pendingClearTicks, clearTicks);
                return;
            }

            Written?.Invoke(ToMessage(clear)); // the replicas that heard of it before the store had it may have read old entries since
        }

        Volatile.Write(ref _removalsPending, 0);
        try
        {
            foreach (KeyValuePair<CacheKey, PendingRemoval> pending in _pendingRemovals)
            {
                if (next.Kind == WriteKind.Set && pending.Value.Sequence > next.Sequence && pending.Key == next.StoreKey)
                {
                    continue;
                }

                WriteOperation removal = new(WriteKind.Remove, pending.Value.Key, default, pending.Value.At, null, null, pending.Value.Partition);
                if (!await ApplyAsync(removal).ConfigureAwait(false))
                {
                    return;
                }

                // Kept when a newer set or removal of the key was remembered meanwhile: that one is replayed in turn.
                _pendingRemovals.TryRemove(pending);
                Written?.Invoke(ToMessage(removal));
            }
        }
        finally
        {
            if (!_pendingRemovals.IsEmpty)
            {
                Volatile.Write(ref _removalsPending, 1);
            }
        }
    }

    // One call to the store, bounded by the timeout; false when it was skipped, failed or timed out.
    private async Task<bool> ApplyAsync(WriteOperation operation)
    {
        if (!Health.IsAvailable)
        {
            return false;
        }

        if (operation.Kind == WriteKind.Set && operation.Expires <= _clock.GetUtcNow())
        {
            // Already expired: nothing worth storing (stores refuse a past expiry), but the older value it was to
            // replace must go.
            operation = operation with { Kind = WriteKind.Remove };
        }

        PooledBufferWriter? buffer = null;
        if (operation.Kind == WriteKind.Set)
        {
            try
            {
                buffer = Encode(operation);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The serializer failed: nothing to write, and not the store's fault (the older value there is removed
                // by the replay this set's loss leads to).
                Interlocked.Increment(ref _errors);
                return false;
            }
        }

        Task call;
        using CancellationTokenSource timeout = new(_timeout);
        try
        {
            switch (operation.Kind)
            {
                case WriteKind.Set:
                    call = WriteEntryAsync(_keys.Of(operation.StoreKey), buffer!, operation.Expires, timeout.Token);
                    break;
                case WriteKind.Remove:
                    call = _store.RemoveAsync(_keys.Of(operation.StoreKey), timeout.Token);
                    break;
                default:
                    // The latest clear known here, which may be another replica's newer one: a clear replayed after an
                    // outage must not set the marker back and bring the entries between the two into view again.
                    byte[] marker = new byte[sizeof(long)];
                    BinaryPrimitives.WriteInt64LittleEndian(marker, Math.Max(operation.Created.UtcTicks, ClearedTicks));
                    call = _store.SetAsync(_keys.ClearMarker, marker, new DistributedCacheEntryOptions(), timeout.Token);
                    break;
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The store threw before it had the call under way, so the buffer is no longer its.
            buffer?.Return();
            RecordFailure(operation.Kind.ToString().ToLowerInvariant(), exception);
            return false;
        }

        try
        {
            await call.WaitAsync(_timeout).ConfigureAwait(false);
            buffer?.Return();
            Health.ReportSuccess();
            return true;
        }
        catch (Exception exception)
        {
            if (buffer is null)
            {
                _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else
            {
                ReleaseWhenDone(call, buffer);
            }

            RecordFailure(operation.Kind.ToString().ToLowerInvariant(), exception);
            return false;
        }
    }

    private PooledBufferWriter Encode(in WriteOperation operation)
    {
        PooledBufferWriter buffer = PooledBufferWriter.Rent();
        buffer.Advance(DistributedEntryFormat.HeaderSize);
        try
        {
            _serializer.Serialize(operation.Value!, buffer);
        }
        catch
        {
            buffer.Return();
            throw;
        }

        DistributedEntryFormat.WriteHeader(
            System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span,
            operation.StoreKey,
            _typeTag,
            operation.Created,
            operation.Expires);
        return buffer;
    }

    private Task WriteEntryAsync(string storeKey, PooledBufferWriter entry, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        DistributedCacheEntryOptions options = new() { AbsoluteExpiration = expires };
        return _bufferStore is not null
            ? _bufferStore.SetAsync(storeKey, new ReadOnlySequence<byte>(entry.WrittenMemory), options, cancellationToken).AsTask()
            : _store.SetAsync(storeKey, entry.WrittenSpan.ToArray(), options, cancellationToken);
    }

    private enum WriteKind : byte
    {
        Set,
        Remove,
        Clear,
        Replay,
    }

    // A removal to replay: the entry's key and partition (for the message announcing it), when it was asked for, and
    // the sequence of the write it stands for.
    private readonly record struct PendingRemoval(CacheKey Key, string? Partition, DateTimeOffset At, long Sequence);

    // The writes of one store key still queued or in flight, and the latest of them.
    private sealed class UnsettledWrites(int count, WriteOperation latest)
    {
        public int Count { get; } = count;

        public WriteOperation Latest { get; } = latest;
    }

    // Key is the entry's key in memory and in messages; StoreKey, the one the store knows it by.
    private readonly record struct WriteOperation(
        WriteKind Kind, CacheKey Key, TValue? Value, DateTimeOffset Created, DateTimeOffset? Expires, TaskCompletionSource<bool>? Completion, string? Partition = null, long Sequence = 0)
    {
        public CacheKey StoreKey => PartitionKeys.Scoped(Key, Partition);
    }
}
