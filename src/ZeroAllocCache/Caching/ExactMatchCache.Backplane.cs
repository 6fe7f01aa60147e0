namespace ZeroAllocCache;

/// <content>
/// The backplane: what the other replicas' messages do to this cache's memory, and single-flight across the fleet
/// (one replica computes a key that misses everywhere while the others wait for its value).
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    // How often a replica that waits for another's value looks in the distributed level, in case its message was lost.
    private static readonly TimeSpan FleetPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Another replica changed or removed the key in the partition (null: the cache's own entries): the entry in
    /// memory, if any, is stale. A partition this cache has never used holds nothing to remove.
    /// </summary>
    internal void ApplyRemoteRemoval(in CacheKey key, string? partitionName)
    {
        PartitionState? partition = FindPartition(partitionName);
        if (partitionName is null || partition is not null)
        {
            using (_lock.Enter())
            {
                InvalidateUnderLock(key, partition, fromFleet: true);
            }
        }
    }

    /// <summary>Another replica cleared the cache: memory empties (its counters stay), and older stored entries are stale.</summary>
    internal void ApplyRemoteClear(DateTimeOffset clearedAt)
    {
        _distributed?.ObserveClear(clearedAt);
        DropMemory();
    }

    /// <summary>How many keys this cache is waiting on another replica's value for; for tests.</summary>
    internal int FleetWaitingKeys => _backplane?.WaitingKeys ?? 0;

    /// <summary>Empties memory without touching the counters or the distributed level: its entries may be stale.</summary>
    internal void DropMemory()
    {
        using (_lock.Enter())
        {
            EmptyUnderLock(resetPartitionCounters: false);
        }
    }

    // After memory and the distributed level missed: takes the key's lock across the fleet, or waits for the replica
    // that holds it to store its value. Returns the value when another replica's was found, else the lock to hold
    // while this replica computes it (null when the lock could not be had: wait over, or backplane unreachable).
    private async Task<FleetTurn> TakeFleetTurnAsync(CacheKey key, string? partition, DistributedLevel<TValue> distributed, BackplaneLink<TValue> backplane, CancellationToken cancellationToken)
    {
        // Another partition's computation of the same request is not this one's to wait for (nor to learn of).
        CacheKey lockKey = PartitionKeys.Scoped(key, partition);
        long deadline = TimeProvider.System.GetTimestamp() + (long)(_lockTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            (BackplaneLink<TValue>.LockState state, IAsyncDisposable? held) = await backplane.TryLockAsync(lockKey, _lockTimeout, cancellationToken).ConfigureAwait(false);
            if (state == BackplaneLink<TValue>.LockState.Unavailable)
            {
                return default;
            }

            // Another replica may have stored the value between this replica's read and its lock.
            if (state == BackplaneLink<TValue>.LockState.Acquired)
            {
                DistributedFill? stored;
                try
                {
                    stored = await ReadFreshAsync(distributed, key, partition, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Every caller left: the lock goes now, or the other replicas would wait out its expiry.
                    await backplane.ReleaseAsync(held!).ConfigureAwait(false);
                    throw;
                }

                if (stored is { } value)
                {
                    await backplane.ReleaseAsync(held!).ConfigureAwait(false);
                    return new FleetTurn(true, value, null);
                }

                return new FleetTurn(false, default, held);
            }

            TimeSpan remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return default; // waited long enough: compute it here
            }

            await backplane.WaitForChangeAsync(lockKey, remaining < FleetPollInterval ? remaining : FleetPollInterval, cancellationToken).ConfigureAwait(false);
            if (await ReadFreshAsync(distributed, key, partition, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return new FleetTurn(true, found, null);
            }
        }
    }

    /// <summary>What waiting for the fleet gave: another replica's value, or the lock (or nothing) to compute it with.</summary>
    private readonly record struct FleetTurn(bool Found, DistributedFill Fill, IAsyncDisposable? Lock);
}
