using System.Runtime.CompilerServices;

namespace ZeroAllocCache;

/// <content>
/// Eviction: the order the policy keeps (<see cref="CacheEvictionPolicy"/>), what a hit leaves in it, and which entry
/// leaves when the cache or a partition is full. Everything here runs under the lock.
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    private readonly CacheEvictionPolicy _policy;

    // S3-FIFO's main queue (the small one is _lru, whose links it shares: an entry is in one of them) and its size,
    // and the keys recently evicted from the small queue.
    private LruList<CacheOrder> _main = new();
    private int _mainCount;
    private readonly GhostKeys? _ghost;

    // SIEVE's hand: the next entry the sweep looks at, from the oldest towards the newest; None to start at the oldest.
    private int _hand = LruList.None;

    /// <summary>The eviction policy (<see cref="ExactMatchCacheOptions{TValue}.EvictionPolicy"/>).</summary>
    public CacheEvictionPolicy EvictionPolicy => _policy;

    // S3-FIFO's small queue holds a tenth of the entries.
    private int SmallQueueTarget => Math.Max(1, (_maxSize != 0 ? _maxSize : _pool.Count) / 10);

    private static GhostKeys? GhostFor(CacheEvictionPolicy policy, int maxSize) =>
        policy == CacheEvictionPolicy.S3Fifo ? new GhostKeys(maxSize != 0 ? Math.Max(1, maxSize - (maxSize / 10)) : 4096) : null;

    // A hit (or a replacement): LRU moves the entry to the heads of its lists; SIEVE marks it visited; S3-FIFO counts it, up to 3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(CacheEntry<TValue>[] entries, int index, PartitionState? partition)
    {
        if (_policy == CacheEvictionPolicy.Lru)
        {
            _lru.MoveToFirst(entries, index);
            partition?.Order.MoveToFirst(entries, index);
        }
        else
        {
            ref byte mark = ref entries[index].Mark;
            if (mark < (_policy == CacheEvictionPolicy.Sieve ? 1 : 3))
            {
                mark++;
            }
        }
    }

    // A new entry, at the head of the cache's order: S3-FIFO's main queue when its key was evicted from the small queue
    // a short while ago, else the small queue (the only list of LRU and SIEVE).
    private void AddToOrder(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Mark = 0;
        if (_ghost is not null && _ghost.Contains(entry.Key))
        {
            entry.InMain = true;
            _main.AddFirst(entries, index);
            _mainCount++;
        }
        else
        {
            entry.InMain = false;
            _lru.AddFirst(entries, index);
        }
    }

    // A loaded entry, at the oldest end of the cache's order (the small queue under S3-FIFO).
    private void AddLastToOrder(CacheEntry<TValue>[] entries, int index)
    {
        entries[index].Mark = 0;
        entries[index].InMain = false;
        _lru.AddLast(entries, index);
    }

    private void RemoveFromOrder(CacheEntry<TValue>[] entries, int index, PartitionState? partition)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        if (_hand == index)
        {
            _hand = entry.Previous;
        }

        if (entry.InMain)
        {
            _main.Remove(entries, index);
            _mainCount--;
            entry.InMain = false;
        }
        else
        {
            _lru.Remove(entries, index);
        }

        if (partition is not null)
        {
            if (partition.Hand == index)
            {
                partition.Hand = entry.PartitionPrevious;
            }

            partition.Order.Remove(entries, index);
        }
    }

    private void ClearOrder()
    {
        _lru.Clear();
        _main.Clear();
        _mainCount = 0;
        _hand = LruList.None;
        _ghost?.Clear();
    }

    // The entries in the policy's order, most worth keeping first: S3-FIFO's main queue, then its small queue.
    private int FirstInOrder() => _main.Head != LruList.None ? _main.Head : _lru.Head;

    private int NextInOrder(int index)
    {
        ref CacheEntry<TValue> entry = ref _pool.Entries[index];
        return entry.Next == LruList.None && entry.InMain ? _lru.Head : entry.Next;
    }

    // The entry the cache evicts next, chosen by the policy (which may rearrange its queues on the way). The cache is
    // not empty.
    private int Victim()
    {
        CacheEntry<TValue>[] entries = _pool.Entries;
        switch (_policy)
        {
            case CacheEvictionPolicy.Sieve:
                int hand = _hand != LruList.None ? _hand : _lru.Tail;
                while (entries[hand].Mark != 0)
                {
                    entries[hand].Mark = 0;
                    hand = entries[hand].Previous;
                    if (hand == LruList.None)
                    {
                        hand = _lru.Tail;
                    }
                }

                _hand = entries[hand].Previous;
                return hand;

            case CacheEvictionPolicy.S3Fifo:
                while (true)
                {
                    int small = _lru.Tail;
                    if (small != LruList.None && (_pool.Count - _mainCount > SmallQueueTarget || _main.Tail == LruList.None))
                    {
                        if (entries[small].Mark == 0)
                        {
                            _ghost!.Add(entries[small].Key);
                            return small;
                        }

                        // Asked again while in the small queue: it moves to the main one, its count cleared.
                        entries[small].Mark = 0;
                        _lru.Remove(entries, small);
                        _main.AddFirst(entries, small);
                        entries[small].InMain = true;
                        _mainCount++;
                        continue;
                    }

                    int main = _main.Tail;
                    if (entries[main].Mark == 0)
                    {
                        return main;
                    }

                    entries[main].Mark--;
                    _main.MoveToFirst(entries, main);
                }

            default:
                return _lru.Tail;
        }
    }

    // The entry a partition at its quota evicts: its least recently used under LRU; otherwise SIEVE's sweep over the
    // partition's own entries in insertion order, each mark giving one more round.
    private int PartitionVictim(PartitionState partition)
    {
        if (_policy == CacheEvictionPolicy.Lru)
        {
            return partition.Order.Tail;
        }

        CacheEntry<TValue>[] entries = _pool.Entries;
        int hand = partition.Hand != LruList.None ? partition.Hand : partition.Order.Tail;
        while (entries[hand].Mark != 0)
        {
            entries[hand].Mark--;
            hand = entries[hand].PartitionPrevious;
            if (hand == LruList.None)
            {
                hand = partition.Order.Tail;
            }
        }

        partition.Hand = entries[hand].PartitionPrevious;
        return hand;
    }
}
