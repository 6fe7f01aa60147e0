using System.Collections.Concurrent;

namespace ZeroAllocCache;

/// <content>
/// Partitions: views of the cache whose entries no other partition (nor the cache's own methods) can see or evict,
/// each with its own LRU order, quotas and counters.
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    /// <summary>The longest partition name accepted, in characters.</summary>
    public const int MaxPartitionNameLength = 1024;

    // The partitions by name, read without the lock and added to under it; their states by id (index 0 stays empty:
    // the cache's own entries), under the lock.
    private ConcurrentDictionary<string, CachePartition<TValue>>? _partitions;
    private readonly List<PartitionState?> _partitionsById = [null];

    /// <summary>
    /// The partition named <paramref name="name"/>: a view of this cache whose entries are its own. An entry stored in
    /// one partition is never returned by another partition, nor by the cache's own methods, whatever its key; each
    /// partition evicts its own least recently used entries when it reaches
    /// <see cref="ExactMatchCacheOptions{TValue}.MaxSizePerPartition"/> or
    /// <see cref="ExactMatchCacheOptions{TValue}.MaxBytesPerPartition"/>.
    /// </summary>
    /// <param name="name">The partition's name, such as a tenant's id; compared ordinally.</param>
    /// <returns>The partition; the same object each time for one name (no allocation after the first).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or longer than <see cref="MaxPartitionNameLength"/>.</exception>
    /// <remarks>
    /// A partition lives as long as the cache (its name, counters and an empty LRU list: about 200 bytes).
    /// <see cref="Count"/> and <see cref="Stats"/> of the cache cover every partition; <see cref="Clear"/> empties
    /// them all. The partition's name goes with its entries to the distributed level, the backplane and snapshots.
    /// </remarks>
    public CachePartition<TValue> Partition(string name)
    {
        CheckPartitionName(name);
        if (Volatile.Read(ref _partitions) is { } partitions && partitions.TryGetValue(name, out CachePartition<TValue>? known))
        {
            return known;
        }

        using (_lock.Enter())
        {
            return PartitionUnderLock(name);
        }
    }

    /// <summary>The partition of a name that came from elsewhere (a message, a snapshot), if this cache has it.</summary>
    internal PartitionState? FindPartition(string? name)
    {
        if (name is null)
        {
            return null;
        }

        return Volatile.Read(ref _partitions) is { } partitions && partitions.TryGetValue(name, out CachePartition<TValue>? partition) ? partition.State : null;
    }

    internal int CountOf(PartitionState partition)
    {
        using (_lock.Enter())
        {
            return partition.Count;
        }
    }

    internal CacheStats StatsOf(PartitionState partition)
    {
        using (_lock.Enter())
        {
            return partition.ToStats();
        }
    }

    internal bool TryGetIn(PartitionState partition, in CacheKey key, out TValue value) => TryGetInPartition(key, partition, out value!);

    internal void PutIn(PartitionState partition, in CacheKey key, TValue value) => PutCore(key, partition, value, OwnTtlOf(value));

    internal void PutIn(PartitionState partition, in CacheKey key, TValue value, TimeSpan ttl)
    {
        CheckTtl(ttl);
        PutCore(key, partition, value, ttl);
    }

    internal bool InvalidateIn(PartitionState partition, in CacheKey key) => InvalidateCore(key, partition);

    /// <summary>Removes the partition's entries from memory and resets its counters; other partitions keep theirs.</summary>
    internal void ClearPartition(PartitionState partition)
    {
        using (_lock.Enter())
        {
            DetachCalls(partition.Id);
            TellLoadsPartitionCleared(partition.Id);
            _fillGuard?.Emptied();
            while (partition.Order.Head != LruList.None)
            {
                RemoveEntry(partition.Order.Head);
            }

            partition.ResetCounters();
        }
    }

    private static void CheckPartitionName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxPartitionNameLength)
        {
            throw new ArgumentException($"A partition name is at most {MaxPartitionNameLength} characters; this one has {name.Length}.", nameof(name));
        }
    }

    // Under the lock: the partition of the name, made on first use.
    private CachePartition<TValue> PartitionUnderLock(string name)
    {
        ConcurrentDictionary<string, CachePartition<TValue>>? partitions = _partitions;
        if (partitions is null)
        {
            partitions = new(StringComparer.Ordinal);
            Volatile.Write(ref _partitions, partitions); // published whole to the readers outside the lock
        }

        if (!partitions.TryGetValue(name, out CachePartition<TValue>? partition))
        {
            PartitionState state = new(_partitionsById.Count, name);
            _partitionsById.Add(state);
            partition = new CachePartition<TValue>(this, state);
            partitions[name] = partition;
        }

        return partition;
    }

    // Under the lock: the state of an entry's partition id; null for the cache's own entries.
    private PartitionState? PartitionOf(int id) => id == 0 ? null : _partitionsById[id];

    // Under the lock: every partition forgets its entries (the cache dropped them all), and its counters if asked.
    private void EmptyPartitions(bool resetCounters)
    {
        for (int id = 1; id < _partitionsById.Count; id++)
        {
            PartitionState partition = _partitionsById[id]!;
            partition.Empty();
            if (resetCounters)
            {
                partition.ResetCounters();
            }
        }
    }
}
