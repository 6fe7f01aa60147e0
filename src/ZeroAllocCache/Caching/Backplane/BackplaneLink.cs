using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace ZeroAllocCache;

/// <summary>
/// A cache's end of its backplane: applies what the other replicas announce to this cache's memory, announces this
/// cache's changes, wakes the callers waiting for another replica's value, and takes the fleet-wide locks.
/// </summary>
/// <remarks>
/// Nothing here runs on a hit. Publishing never throws: a message that cannot be sent is counted and logged, and
/// the replicas that missed it resynchronise when their connection comes back (<see cref="OnReconnected"/>).
/// </remarks>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class BackplaneLink<TValue> : ICacheBackplaneListener, IAsyncDisposable
{
    private readonly ExactMatchCache<TValue> _cache;
    private readonly ILogger _logger;
    private readonly string _cacheName;
    private readonly TimeSpan _timeout;
    private readonly ICacheBackplaneConnection _connection;

    // Callers waiting for another replica's value of a key, woken by its Changed message.
    private readonly ConcurrentDictionary<CacheKey, TaskCompletionSource> _waiters = new();

    private long _received;
    private long _resyncs;
    private long _publishErrors;

    // 1 from a failed publish to the next one that succeeds: one log line per outage.
    private int _publishFailing;

    public BackplaneLink(ExactMatchCache<TValue> cache, ICacheBackplane backplane, string cacheName, TimeSpan timeout, ILogger logger)
    {
        _cache = cache;
        _cacheName = cacheName;
        _timeout = timeout;
        _logger = logger;
        _connection = backplane.Connect(cacheName, this);
    }

    /// <summary>How a lock attempt went.</summary>
    public enum LockState
    {
        /// <summary>This replica holds the lock.</summary>
        Acquired,

        /// <summary>Another replica holds it: wait for its value.</summary>
        Taken,

        /// <summary>The backplane cannot be reached: go on without a lock.</summary>
        Unavailable,
    }

    public long Received => Volatile.Read(ref _received);

    public long Resyncs => Volatile.Read(ref _resyncs);

    public long PublishErrors => Volatile.Read(ref _publishErrors);

    // The counters move once a message has taken effect, so that whoever sees them move finds memory already changed.
    public void OnMessage(CacheBackplaneMessage message)
    {
        switch (message.Kind)
        {
            case CacheBackplaneMessageKind.Changed:
            case CacheBackplaneMessageKind.Removed:
                _cache.ApplyRemoteRemoval(message.Key, message.Partition);
                Wake(PartitionKeys.Scoped(message.Key, message.Partition));
                break;
            case CacheBackplaneMessageKind.Cleared:
                _cache.ApplyRemoteClear(message.Timestamp);
                break;
        }

        Interlocked.Increment(ref _received);
    }

    public void OnReconnected()
    {
        // Messages sent while the connection was down are lost: anything in memory may have changed elsewhere.
        _cache.DropMemory();
        Interlocked.Increment(ref _resyncs);
        BackplaneLog.Resynchronised(_logger, _cacheName);
    }

    /// <summary>Announces a change without waiting.</summary>
    public void Publish(CacheBackplaneMessage message) => _ = PublishAsync(message);

    /// <summary>Announces a change; completes when it is sent or has failed (counted, never thrown), within the timeout.</summary>
    public async Task PublishAsync(CacheBackplaneMessage message)
    {
        try
        {
            await _connection.PublishAsync(message).WaitAsync(_timeout).ConfigureAwait(false);
            Volatile.Write(ref _publishFailing, 0);
        }
        catch (Exception exception)
        {
            Interlocked.Increment(ref _publishErrors);
            if (Interlocked.Exchange(ref _publishFailing, 1) == 0)
            {
                BackplaneLog.PublishFailed(_logger, _cacheName, exception);
            }
        }
    }

    /// <summary>Tries to take the fleet-wide lock of <paramref name="key"/>, within the timeout.</summary>
    public async Task<(LockState State, IAsyncDisposable? Lock)> TryLockAsync(CacheKey key, TimeSpan expiry, CancellationToken cancellationToken)
    {
        Task<IAsyncDisposable?>? acquiring = null;
        try
        {
            acquiring = _connection.TryAcquireLockAsync(key, expiry, cancellationToken);
            IAsyncDisposable? held = await acquiring.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            return held is null ? (LockState.Taken, null) : (LockState.Acquired, held);
        }
        catch (Exception)
        {
            // A lock the backplane grants after the wait gave up is nobody's: it goes at once, not at its expiry.
            if (acquiring is not null)
            {
                ReleaseWhenGranted(acquiring);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return (LockState.Unavailable, null);
        }
    }

    private static void ReleaseWhenGranted(Task<IAsyncDisposable?> acquiring) =>
        _ = acquiring.ContinueWith(
            static task =>
            {
                if (task.IsCompletedSuccessfully)
                {
                    _ = task.Result?.DisposeAsync().AsTask().ContinueWith(static released => _ = released.Exception, TaskScheduler.Default);
                }
                else
                {
                    _ = task.Exception;
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>Releases a lock; a backplane that cannot be reached lets it expire.</summary>
    public async Task ReleaseAsync(IAsyncDisposable held)
    {
        try
        {
            await held.DisposeAsync().AsTask().WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The lock expires on its own: a release lost to an outage only delays the next holder.
        }
    }

    /// <summary>
    /// Waits until another replica announces a value for <paramref name="key"/> (a partition's key as
    /// <see cref="PartitionKeys.Scoped"/> makes it), or <paramref name="most"/> has passed.
    /// </summary>
    public async Task WaitForChangeAsync(CacheKey key, TimeSpan most, CancellationToken cancellationToken)
    {
        TaskCompletionSource changed = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await changed.Task.WaitAsync(most, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The fallback poll: the caller looks in the distributed level again.
        }
        finally
        {
            // Not woken (a holder that failed announces nothing): forgotten, or every such key would stay here.
            _waiters.TryRemove(new KeyValuePair<CacheKey, TaskCompletionSource>(key, changed));
        }
    }

    /// <summary>How many keys this replica is waiting on another's value for.</summary>
    internal int WaitingKeys => _waiters.Count;

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private void Wake(in CacheKey key)
    {
        if (_waiters.TryRemove(key, out TaskCompletionSource? changed))
        {
            changed.TrySetResult();
        }
    }
}
