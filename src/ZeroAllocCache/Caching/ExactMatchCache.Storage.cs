using System.Runtime.CompilerServices;

namespace ZeroAllocCache;

/// <content>
/// The entries in memory: stores, lookups of freshness, removals and evictions, all under the lock, and the bounds
/// (count, bytes, partitions' quotas) they keep.
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    // Stores or replaces the entry for the key in the partition (null: the cache's own), then evicts until every
    // bound holds. Returns false when the value is larger than a byte budget: it is not stored, and an older entry
    // under the key is removed. Under the lock.
    private bool StoreUnderLock(in CacheKey key, PartitionState? partition, TValue value, long now, long size, TimeSpan? ownTtl, bool fromStore = false)
    {
        _changes++;

        // A value the store answered with makes no other read of it stale; anything else may.
        if (!fromStore)
        {
            _fillGuard?.Changed(key);
        }

        long ownTtlTicks = ownTtl?.Ticks ?? 0;
        if (ownTtlTicks != 0)
        {
            _readsClock = true;
        }

        CacheEntry<TValue>[] entries = _pool.Entries;
        int index = _index.Find(entries, key, partition?.Id ?? 0);
        if ((_maxBytes != 0 && size > _maxBytes) || (partition is not null && _maxBytesPerPartition != 0 && size > _maxBytesPerPartition))
        {
            if (index != LruList.None)
            {
                RemoveEntry(index);
            }

            _rejected++;
            if (partition is not null)
            {
                partition.Rejected++;
            }

            return false;
        }

        if (index != LruList.None)
        {
            ref CacheEntry<TValue> existing = ref entries[index];
            long growth = size - existing.Size;
            _bytes += growth;
            EntryVersion.Invalidate(ref existing);
            existing.Value = value;
            existing.Timestamp = now;
            existing.HitCount = 0;
            existing.Size = size;
            existing.TtlTicks = ownTtlTicks != 0 ? ownTtlTicks : _ttlTicks;
            existing.HasOwnTtl = ownTtlTicks != 0;
            EntryVersion.Publish(ref existing);
            Touch(entries, index, partition);
            if (partition is not null)
            {
                partition.Bytes += growth;
            }
        }
        else
        {
            if (partition is not null && _maxSizePerPartition != 0 && partition.Count >= _maxSizePerPartition)
            {
                Evict(PartitionVictim(partition)); // at its quota: one of its own goes, never another's
            }

            index = TakeSlot();
            entries = _pool.Entries;
            ref CacheEntry<TValue> entry = ref entries[index];
            entry.Key = key;
            entry.Value = value;
            entry.Timestamp = now;
            entry.HitCount = 0;
            entry.Partition = partition?.Id ?? 0;
            entry.Size = size;
            entry.TtlTicks = ownTtlTicks != 0 ? ownTtlTicks : _ttlTicks;
            entry.HasOwnTtl = ownTtlTicks != 0;
            _index.Add(entries, index);
            AddToOrder(entries, index);
            EntryVersion.Publish(ref entry);
            _bytes += size;
            if (partition is not null)
            {
                partition.Order.AddFirst(entries, index);
                partition.Count++;
                partition.Bytes += size;
            }
        }

        // The value fits each budget on its own (checked above), so these stop before they reach it.
        if (partition is not null && _maxBytesPerPartition != 0)
        {
            while (partition.Bytes > _maxBytesPerPartition)
            {
                Evict(PartitionVictim(partition));
            }
        }

        if (_maxBytes != 0)
        {
            while (_bytes > _maxBytes)
            {
                Evict(Victim(stored: index));
            }
        }

        return true;
    }

    // Returns the entry's index if it is stored in the partition and fresh; an expired entry is removed and counted.
    // Inlined up to the TTL check, which an entry without a TTL skips. Under the lock.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindFresh(in CacheKey key, PartitionState? partition, long now, bool clockRead = true)
    {
        CacheEntry<TValue>[] entries = _pool.Entries;
        int index = _index.Find(entries, key, partition?.Id ?? 0);
        return index == LruList.None || entries[index].TtlTicks == 0 ? index : FreshOrExpired(index, partition, now, clockRead);
    }

    // The entry's index while it is no older than its TTL, else None once it is removed and counted. The clock is
    // read here when the caller did not (an entry with a TTL of its own appeared since it looked). Under the lock.
    private int FreshOrExpired(int index, PartitionState? partition, long now, bool clockRead)
    {
        ref CacheEntry<TValue> entry = ref _pool.Entries[index];
        if (!clockRead)
        {
            now = _timeProvider.GetTimestamp();
        }

        if (_timeProvider.GetElapsedTime(entry.Timestamp, now).Ticks <= entry.TtlTicks)
        {
            return index;
        }

        RemoveEntry(index);
        _expirations++;
        if (partition is not null)
        {
            partition.Expirations++;
        }

        return LruList.None;
    }

    // Ages beyond a century are taken as a century.
    private static readonly TimeSpan MaxEntryAge = TimeSpan.FromDays(36_525);

    // The memory timestamp of an entry of the given age. A negative age (another clock runs ahead) is taken as zero
    // and one beyond a century as a century, so that no arithmetic on timestamps (up to 1 GHz) can overflow.
    private long TimestampOfAge(long now, TimeSpan age) =>
        now - (long)(Math.Clamp(age.TotalSeconds, 0, MaxEntryAge.TotalSeconds) * _timeProvider.TimestampFrequency);

    // The wall-clock time at which an entry of the given age was created, no earlier than the calendar allows.
    private static DateTimeOffset CreatedAt(DateTimeOffset now, TimeSpan age) =>
        age < now - DateTimeOffset.MinValue ? now - age : DateTimeOffset.MinValue;

    // Under the lock: every entry leaves memory (calls in progress end, loads in progress stop), the partitions'
    // counters reset only when asked; the cache's own counters are the caller's.
    private void EmptyUnderLock(bool resetPartitionCounters)
    {
        DetachAllCalls();
        TellLoadsCleared();
        _fillGuard?.Emptied();
        _changes++;
        _pool.Clear();
        _index.Clear();
        ClearOrder();
        EmptyPartitions(resetPartitionCounters);
        _bytes = 0;
    }

    // Finds a slot for a new entry: a free one, a new one in a growing pool, or the one the policy evicts. Under the lock.
    private int TakeSlot()
    {
        if (_pool.TryRent(out int index))
        {
            return index;
        }

        if (_maxSize == 0)
        {
            GrowUnbounded();
            _pool.TryRent(out index);
            return index;
        }

        // Full: reuse the slot of the entry the policy evicts, in place.
        index = Victim();
        Unlink(index);
        CountEviction(index);
        return index;
    }

    private void RemoveEntry(int index)
    {
        _changes++;
        Unlink(index);
        _pool.Return(index);
    }

    // Removes the entry to make room, and counts it in the cache's and its partition's evictions.
    private void Evict(int index)
    {
        CountEviction(index);
        RemoveEntry(index);
    }

    private void CountEviction(int index)
    {
        _evictions++;
        if (PartitionOf(_pool.Entries[index].Partition) is { } owner)
        {
            owner.Evictions++;
        }
    }

    // Takes the entry out of the index, the LRU lists and the byte counts; its slot stays the caller's.
    private void Unlink(int index)
    {
        CacheEntry<TValue>[] entries = _pool.Entries;
        ref CacheEntry<TValue> entry = ref entries[index];
        EntryVersion.Invalidate(ref entry);
        _index.Remove(entries, index);
        PartitionState? owner = PartitionOf(entry.Partition);
        RemoveFromOrder(entries, index, owner);
        _bytes -= entry.Size;
        if (owner is not null)
        {
            owner.Count--;
            owner.Bytes -= entry.Size;
        }
    }

    private void GrowUnbounded()
    {
        int capacity = _pool.Capacity;
        if (capacity >= MaxSupportedSize)
        {
            throw new InvalidOperationException($"An unbounded cache holds at most {MaxSupportedSize} entries.");
        }

        int larger = (int)Math.Min((long)capacity * 2, MaxSupportedSize);
        _pool.Grow(larger);

        // Rebuild the index over the live entries, found by walking the LRU list.
        CacheEntry<TValue>[] entries = _pool.Entries;
        KeyIndex index = new(larger);
        for (int i = FirstInOrder(); i != LruList.None; i = NextInOrder(i))
        {
            index.Add(entries, i);
        }

        _index = index;
        Volatile.Write(ref _readerBuckets, index.Buckets);
    }
}
