namespace ZeroAllocCache;

/// <content>Single-flight: <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/> and the calls it shares between concurrent misses.</content>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The GetOrAddAsync overloads differ by a required TTL; each keeps the cancellation token last, as the framework's do.")]
public sealed partial class ExactMatchCache<TValue>
{
    // Factory calls in progress, by key and partition. Guarded by _lock; created on the first miss.
    private Dictionary<CallKey, SingleFlightCall<TValue>>? _calls;

    /// <summary>
    /// Returns the value stored under <paramref name="key"/>, or computes it with <paramref name="factory"/> once,
    /// however many callers miss on the same key at the same time, and stores it.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory, so that it need not capture (and allocate) a closure.</typeparam>
    /// <param name="key">The request's key.</param>
    /// <param name="state">Passed to <paramref name="factory"/> unchanged.</param>
    /// <param name="factory">Computes the value on a miss, typically by calling the model.</param>
    /// <param name="cancellationToken">Ends this caller's wait; see remarks.</param>
    /// <returns>The cached or computed value. A hit completes synchronously and allocates nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// The factory computing <paramref name="key"/> (or a factory it waits for) asked for <paramref name="key"/>
    /// itself: joining its own call would wait forever.
    /// </exception>
    /// <remarks>
    /// <para>
    /// The value is stored before any waiting caller resumes. A factory that throws or is cancelled stores nothing:
    /// every caller waiting on that call sees the exception, and the next call runs the factory again.
    /// </para>
    /// <para>
    /// A caller's <paramref name="cancellationToken"/> ends only its own wait. The factory receives a token that is
    /// cancelled when every caller waiting on it has been cancelled; the key's next caller then starts a new call.
    /// </para>
    /// <para>
    /// <see cref="Invalidate(in CacheKey)"/> and <see cref="Clear"/> end a call in progress for the keys they remove:
    /// callers that arrive afterwards start a new call, and the ended call's result, which may predate the removal,
    /// reaches only the callers already waiting for it and is not stored.
    /// </para>
    /// </remarks>
    public ValueTask<TValue> GetOrAddAsync<TState>(
        CacheKey key,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (TryGet(in key, out TValue? value))
        {
            return new ValueTask<TValue>(value);
        }

        return GetOrAddOnMissAsync(key, partition: null, state, factory, ttl: null, cancellationToken);
    }

    /// <summary>
    /// <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>,
    /// storing a computed value with a TTL of its own.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory.</typeparam>
    /// <param name="key">The request's key.</param>
    /// <param name="state">Passed to <paramref name="factory"/> unchanged.</param>
    /// <param name="factory">Computes the value on a miss.</param>
    /// <param name="ttl">
    /// How long a value this call computes stays fresh, in place of the cache's TTL. Callers that join a call in
    /// progress share its value, stored with the TTL of the caller that started it.
    /// </param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The cached or computed value. A hit completes synchronously and allocates nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">The factory computing the key asked for the key itself.</exception>
    public ValueTask<TValue> GetOrAddAsync<TState>(
        CacheKey key,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        TimeSpan ttl,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        CheckTtl(ttl);
        if (TryGet(in key, out TValue? value))
        {
            return new ValueTask<TValue>(value);
        }

        return GetOrAddOnMissAsync(key, partition: null, state, factory, ttl, cancellationToken);
    }

    /// <summary>A partition's <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>.</summary>
    internal ValueTask<TValue> GetOrAddIn<TState>(
        PartitionState partition,
        CacheKey key,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        TimeSpan? ttl,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (ttl is { } own)
        {
            CheckTtl(own);
        }

        if (TryGetInPartition(in key, partition, out TValue? value))
        {
            return new ValueTask<TValue>(value);
        }

        return GetOrAddOnMissAsync(key, partition, state, factory, ttl, cancellationToken);
    }

    private async ValueTask<TValue> GetOrAddOnMissAsync<TState>(
        CacheKey key,
        PartitionState? partition,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        TimeSpan? ttl,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        CallKey callKey = new(key, partition?.Id ?? 0);
        if (JoinOrStartCall(key, partition, out SingleFlightCall<TValue>? call, out TValue? stored, out bool started))
        {
            return stored;
        }

        if (started)
        {
            _ = RunCallAsync(key, partition, call, state, factory, ttl);
        }

        try
        {
            return await call.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !call.Task.IsCompleted)
        {
            LeaveCall(callKey, call);
            throw;
        }
    }

    // Under the lock: answers from the cache if another call stored the value since our miss, else joins the call
    // in progress for the key, else registers a new one for this caller to start.
    private bool JoinOrStartCall(
        in CacheKey key,
        PartitionState? partition,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out SingleFlightCall<TValue>? call,
        [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue stored,
        out bool started)
    {
        bool clockRead = _readsClock;
        long now = clockRead ? _timeProvider.GetTimestamp() : 0;
        CallKey callKey = new(key, partition?.Id ?? 0);
        using (_lock.Enter())
        {
            int index = FindFresh(key, partition, now, clockRead);
            if (index != LruList.None)
            {
                Touch(_pool.Entries, index, partition);
                _changes++; // the policy's order changed, which a snapshot keeps
                stored = _pool.Entries[index].Value;
                call = null;
                started = false;
                return true;
            }

            _calls ??= [];
            if (_calls.TryGetValue(callKey, out call))
            {
                if (call.IsRunningInCurrentFlow())
                {
                    throw new InvalidOperationException(
                        $"GetOrAddAsync was called for key {key} from inside the factory that is computing it (or a factory that one waits for). " +
                        "The call would wait for itself forever; compute the value without asking the cache for it.");
                }

                call.Waiters++;
                started = false;
            }
            else
            {
                call = new SingleFlightCall<TValue>();
                _calls.Add(callKey, call);
                started = true;
            }

            stored = default;
            return false;
        }
    }

    private async Task RunCallAsync<TState>(
        CacheKey key,
        PartitionState? partition,
        SingleFlightCall<TValue> call,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        TimeSpan? ttl)
    {
        CallKey callKey = new(key, partition?.Id ?? 0);
        string? partitionName = partition?.Name;
        TValue value;
        long size;
        TimeSpan? ownTtl;
        IAsyncDisposable? fleetLock = null;
        try
        {
            // The second level first, inside the call: concurrent misses on one key in this process make one read of it.
            if (_distributed is { } distributed)
            {
                if (await ReadFreshAsync(distributed, key, partitionName, call.Token).ConfigureAwait(false) is { } found)
                {
                    Complete(callKey, partition, call, found);
                    return;
                }

                // Then the fleet: one replica computes, the others wait for its value.
                if (_backplane is { } backplane)
                {
                    FleetTurn turn;
                    SetWaitingForFleet(call, true);
                    try
                    {
                        turn = await TakeFleetTurnAsync(key, partitionName, distributed, backplane, call.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        SetWaitingForFleet(call, false);
                    }

                    if (turn.Found)
                    {
                        Complete(callKey, partition, call, turn.Fill);
                        return;
                    }

                    fleetLock = turn.Lock;
                }
            }

            value = await call.RunFactory(factory, state).ConfigureAwait(false);
            size = SizeOf(value);
            ownTtl = ttl ?? OwnTtlOf(value);
        }
        catch (Exception exception)
        {
            // A failed or cancelled computation lets the next caller, on any replica, try again.
            if (fleetLock is not null)
            {
                await _backplane!.ReleaseAsync(fleetLock).ConfigureAwait(false);
            }

            EndCall(callKey, call);
            call.Fail(exception);
            call.Dispose();
            return;
        }

        // Stored first, then released: a waiter that resumes, and any caller after it, finds the entry.
        DateTimeOffset created = _timeProvider.GetUtcNow();
        long timestamp = _timeProvider.GetTimestamp();
        bool kept;
        Task<bool>? written = null;
        using (_lock.Enter())
        {
            kept = !call.Detached && StoreUnderLock(key, partition, value, timestamp, size, ownTtl);
            ForgetCall(callKey, call);

            // Queued with the memory change, so that an invalidation after it lands after it in the store too.
            if (kept && _distributed is { } level)
            {
                if (fleetLock is not null)
                {
                    written = level.SetAsync(key, partitionName, value, created, ExpiryOf(created, ownTtl), CancellationToken.None);
                }
                else
                {
                    level.EnqueueSet(key, partitionName, value, created, ExpiryOf(created, ownTtl));
                }
            }
        }

        if (fleetLock is not null)
        {
            // This process's callers have their value; the other replicas wait for it in the store, so it is there,
            // and announced, before the lock goes.
            call.Succeed(value);
            if (written is not null)
            {
                await written.ConfigureAwait(false);
            }

            await _backplane!.ReleaseAsync(fleetLock).ConfigureAwait(false);
            call.Dispose();
            return;
        }

        if (kept && _distributed is null)
        {
            _backplane?.Publish(new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, key, created, partitionName));
        }

        call.Succeed(value);
        call.Dispose();
    }

    // A value the distributed level (or another replica) supplied: the call's result, which it becomes, and stored
    // unless Invalidate or Clear ended the call or the key changed while the store answered.
    private void Complete(in CallKey callKey, PartitionState? partition, SingleFlightCall<TValue> call, in DistributedFill fill)
    {
        long size = SizeOf(fill.Value);
        using (_lock.Enter())
        {
            if (!call.Detached && _fillGuard!.Admits(fill.Ticket))
            {
                StoreUnderLock(callKey.Key, partition, fill.Value, fill.Timestamp, size, fill.OwnTtl, fromStore: true);
            }

            ForgetCall(callKey, call);
        }

        call.Succeed(fill.Value);
        call.Dispose();
    }

    private void EndCall(in CallKey callKey, SingleFlightCall<TValue> call)
    {
        using (_lock.Enter())
        {
            ForgetCall(callKey, call);
        }
    }

    private void LeaveCall(in CallKey callKey, SingleFlightCall<TValue> call)
    {
        bool abandoned;
        using (_lock.Enter())
        {
            call.Waiters--;
            abandoned = call.Waiters == 0;
            if (abandoned)
            {
                // The next caller starts afresh instead of joining a call that is being cancelled.
                ForgetCall(callKey, call);
            }
        }

        if (abandoned)
        {
            call.Abandon();
        }
    }

    // Under the lock. Removes the call only if it is still the one registered for the key.
    private void ForgetCall(in CallKey callKey, SingleFlightCall<TValue> call)
    {
        if (_calls is not null && _calls.TryGetValue(callKey, out SingleFlightCall<TValue>? current) && current == call)
        {
            _calls.Remove(callKey);
        }
    }

    private void SetWaitingForFleet(SingleFlightCall<TValue> call, bool waiting)
    {
        using (_lock.Enter())
        {
            call.WaitingForFleet = waiting;
        }
    }

    // Under the lock: the key's call in progress, if any, is forgotten and its result will not be stored; with
    // fromFleet, unless the call is waiting for the fleet's value, which the change announces.
    private void DetachCall(in CallKey callKey, bool fromFleet = false)
    {
        if (_calls is not null && _calls.TryGetValue(callKey, out SingleFlightCall<TValue>? call) && !(fromFleet && call.WaitingForFleet))
        {
            _calls.Remove(callKey);
            call.Detached = true;
        }
    }

    // Under the lock: every call in progress in the partition is forgotten and its result will not be stored.
    private void DetachCalls(int partition)
    {
        if (_calls is null || _calls.Count == 0)
        {
            return;
        }

        List<CallKey>? detached = null;
        foreach ((CallKey callKey, SingleFlightCall<TValue> call) in _calls)
        {
            if (callKey.Partition == partition)
            {
                call.Detached = true;
                (detached ??= []).Add(callKey);
            }
        }

        foreach (CallKey callKey in detached ?? [])
        {
            _calls.Remove(callKey);
        }
    }

    // Under the lock: every call in progress is forgotten and its result will not be stored.
    private void DetachAllCalls()
    {
        if (_calls is null || _calls.Count == 0)
        {
            return;
        }

        foreach (SingleFlightCall<TValue> call in _calls.Values)
        {
            call.Detached = true;
        }

        _calls.Clear();
    }

    /// <summary>What a call is shared by: the key, in its partition (0 for the cache's own entries).</summary>
    private readonly record struct CallKey(CacheKey Key, int Partition);
}
