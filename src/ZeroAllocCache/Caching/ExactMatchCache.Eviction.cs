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
    // and the keys recently evicted from the small queue. W-TinyLFU uses _lru as its window, _main as its probation
    // segment and _protected as its protected one, and remembers the counts of evicted keys in _history.
    private LruList<CacheOrder> _main = new();
    private int _mainCount;
    private readonly EvictedKeys? _ghost;
    private LruList<CacheOrder> _protected = new();
    private int _protectedCount;
    private readonly EvictedKeys? _history;

    // SIEVE's hand: the next entry the sweep looks at, from the oldest towards the newest; None to start at the oldest.
    private int _hand = LruList.None;

    /// <summary>The eviction policy (<see cref="ExactMatchCacheOptions{TValue}.EvictionPolicy"/>).</summary>
    public CacheEvictionPolicy EvictionPolicy => _policy;

    // S3-FIFO's small queue holds a tenth of the entries.
    private int SmallQueueTarget => Math.Max(1, (_maxSize != 0 ? _maxSize : _pool.Count) / 10);

    private static EvictedKeys? GhostFor(CacheEvictionPolicy policy, int maxSize) =>
        policy == CacheEvictionPolicy.S3Fifo ? new EvictedKeys(maxSize != 0 ? Math.Max(1, maxSize - (maxSize / 10)) : 4096) : null;

    // W-TinyLFU's window holds a hundredth of the entries, and its protected segment up to 80% of the rest. Shares of
    // the entries there are, not of MaxSize: a byte budget may bind long before MaxSize does.
    private int WindowTarget => Math.Max(1, _pool.Count / 100);

    private int ProtectedTarget => (_pool.Count - WindowTarget) * 4 / 5;

    private int MainTarget => _pool.Count - WindowTarget;

    // W-TinyLFU remembers the counts of the last four times the capacity of evicted keys (in long: 4 × a MaxSize near
    // the largest supported would overflow an int).
    private static EvictedKeys? HistoryFor(CacheEvictionPolicy policy, int maxSize) =>
        policy == CacheEvictionPolicy.WTinyLfu ? new EvictedKeys((int)Math.Min(4L * (maxSize != 0 ? maxSize : 4096), Array.MaxLength)) : null;

    /// <summary>W-TinyLFU's segments' sizes, for tests.</summary>
    internal (int Window, int Probation, int Protected) WTinyLfuSegmentCounts => (WindowCount, _mainCount, _protectedCount);

    // SIEVE's and S3-FIFO's hits change no list, so they can be served without the lock. A field, so that the hit tests
    // one flag as it did when only LRU took the lock.
    private readonly bool _hitsWithoutLock;

    private static bool HitsWithoutLockUnder(CacheEvictionPolicy policy) => policy is CacheEvictionPolicy.Sieve or CacheEvictionPolicy.S3Fifo;

    // A hit (or a replacement): LRU moves the entry to the heads of its lists; SIEVE marks it visited; S3-FIFO counts it,
    // up to 3; W-TinyLFU counts it and moves it up its segments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Touch(CacheEntry<TValue>[] entries, int index, PartitionState? partition)
    {
        if (_policy == CacheEvictionPolicy.Lru)
        {
            _lru.MoveToFirst(entries, index);
            partition?.Order.MoveToFirst(entries, index);
        }
        else if (_policy == CacheEvictionPolicy.WTinyLfu)
        {
            TouchSegments(entries, index, partition);
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

    // W-TinyLFU's hit: one more request, and the entry moves to its segment's head, or from probation to protected (whose
    // oldest entry, when that is full, goes back to probation), and to its partition's head. Out of line, so that LRU's
    // hit, into which Touch is inlined, does not carry it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TouchSegments(CacheEntry<TValue>[] entries, int index, PartitionState? partition)
    {
        partition?.Order.MoveToFirst(entries, index);
        ref CacheEntry<TValue> entry = ref entries[index];
        if (entry.Frequency != int.MaxValue)
        {
            entry.Frequency++;
        }

        switch (entry.Segment)
        {
            case WTinyLfuSegment.Window:
                _lru.MoveToFirst(entries, index);
                break;
            case WTinyLfuSegment.Protected:
                _protected.MoveToFirst(entries, index);
                break;
            default:
                _main.Remove(entries, index);
                _mainCount--;
                Protect(entries, index);
                if (_protectedCount > ProtectedTarget)
                {
                    int demoted = _protected.Tail;
                    _protected.Remove(entries, demoted);
                    _protectedCount--;
                    Probate(entries, demoted);
                }

                break;
        }
    }

    private void Probate(CacheEntry<TValue>[] entries, int index)
    {
        entries[index].Segment = WTinyLfuSegment.Probation;
        _main.AddFirst(entries, index);
        _mainCount++;
    }

    private void Protect(CacheEntry<TValue>[] entries, int index)
    {
        entries[index].Segment = WTinyLfuSegment.Protected;
        _protected.AddFirst(entries, index);
        _protectedCount++;
    }

    // A new entry, at the head of the cache's order: S3-FIFO's main queue when its key was evicted from the small queue
    // a short while ago, else the small queue (the only list of LRU and SIEVE, W-TinyLFU's window).
    private void AddToOrder(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Mark = 0;
        entry.InMain = false;
        if (_history is not null)
        {
            // The request that stores it counts, with those of the key before it was last evicted.
            int before = _history.Take(entry.Key);
            entry.Frequency = before == int.MaxValue ? before : before + 1;
            entry.Segment = WTinyLfuSegment.Window;
            _lru.AddFirst(entries, index);

            // While the main part has room (the cache filling, or refilling after removals), the window's oldest beyond
            // its share goes straight to probation; once it is full, leaving the window takes a contest (Victim).
            if (WindowCount > WindowTarget && _mainCount + _protectedCount < MainTarget)
            {
                int oldest = _lru.Tail;
                _lru.Remove(entries, oldest);
                Probate(entries, oldest);
            }

            return;
        }

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

    // A loaded entry, at the oldest end of the cache's order (the small queue under S3-FIFO, probation under W-TinyLFU,
    // counted as asked once more than it was hit).
    private void AddLastToOrder(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Mark = 0;
        entry.InMain = false;
        if (_history is not null)
        {
            entry.Frequency = entry.HitCount == int.MaxValue ? int.MaxValue : entry.HitCount + 1;
            entry.Segment = WTinyLfuSegment.Probation;
            _main.AddLast(entries, index);
            _mainCount++;
            return;
        }

        _lru.AddLast(entries, index);
    }

    private void RemoveFromOrder(CacheEntry<TValue>[] entries, int index, PartitionState? partition)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        if (_hand == index)
        {
            _hand = entry.Previous;
        }

        // However it leaves (evicted, expired, invalidated), W-TinyLFU remembers how often its key was asked.
        _history?.Add(entry.Key, entry.Frequency);
        if (_history is not null && entry.Segment != WTinyLfuSegment.Window)
        {
            if (entry.Segment == WTinyLfuSegment.Protected)
            {
                _protected.Remove(entries, index);
                _protectedCount--;
            }
            else
            {
                _main.Remove(entries, index);
                _mainCount--;
            }

            entry.Segment = WTinyLfuSegment.Window;
        }
        else if (entry.InMain)
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
        _protected.Clear();
        _protectedCount = 0;
        _hand = LruList.None;
        _ghost?.Clear();
        _history?.Clear();
    }

    // The entries in the policy's order, most worth keeping first: S3-FIFO's main queue, then its small queue;
    // W-TinyLFU's protected segment, probation, then its window.
    private int FirstInOrder() =>
        _protected.Head != LruList.None ? _protected.Head : _main.Head != LruList.None ? _main.Head : _lru.Head;

    private int NextInOrder(int index)
    {
        ref CacheEntry<TValue> entry = ref _pool.Entries[index];
        if (entry.Next != LruList.None)
        {
            return entry.Next;
        }

        if (_history is not null)
        {
            return entry.Segment switch
            {
                WTinyLfuSegment.Protected => _main.Head != LruList.None ? _main.Head : _lru.Head,
                WTinyLfuSegment.Probation => _lru.Head,
                _ => LruList.None,
            };
        }

        return entry.InMain ? _lru.Head : LruList.None;
    }

    // The entry the cache evicts next, chosen by the policy (which may rearrange its queues on the way). The cache is
    // not empty. An entry just stored and being made room for (a byte budget's evictions) is named, so that W-TinyLFU
    // does not turn it away on the spot.
    private int Victim(int stored = LruList.None)
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

            case CacheEvictionPolicy.WTinyLfu:
                return WTinyLfuVictim(entries, stored);

            default:
                return _lru.Tail;
        }
    }

    // W-TinyLFU: with the window at its share (the entry about to be stored will join it), its oldest entry and the main
    // part's next victim meet: the key asked less often so far is evicted (the window's on a tie) and the other stays,
    // the window's on probation; an empty main part takes the window's oldest without a contest. With the window below
    // its share, the window's oldest the entry just stored, or the main part's victim past its TTL, the main part's victim
    // goes; a window's oldest past its TTL goes without a contest.
    private int WTinyLfuVictim(CacheEntry<TValue>[] entries, int stored)
    {
        while (_main.Tail == LruList.None && _protected.Tail == LruList.None && WindowCount > WindowTarget)
        {
            int oldest = _lru.Tail;
            _lru.Remove(entries, oldest);
            Probate(entries, oldest);
        }

        int candidate = _lru.Tail;
        int mainVictim = _main.Tail != LruList.None ? _main.Tail : _protected.Tail;
        int victim;
        if (mainVictim == LruList.None)
        {
            victim = candidate;
        }
        else if (_readsClock && IsPastTtl(entries[mainVictim]))
        {
            victim = mainVictim; // an answer already too old to return loses whatever its count
        }
        else if (candidate == LruList.None || candidate == stored || WindowCount < WindowTarget)
        {
            victim = mainVictim;
        }
        else if (_readsClock && IsPastTtl(entries[candidate]))
        {
            victim = candidate;
        }
        else if (entries[candidate].Frequency <= entries[mainVictim].Frequency)
        {
            victim = candidate;
        }
        else
        {
            _lru.Remove(entries, candidate);
            Probate(entries, candidate);
            victim = mainVictim;
        }

        return victim;
    }

    private int WindowCount => _pool.Count - _mainCount - _protectedCount;

    private bool IsPastTtl(in CacheEntry<TValue> entry) =>
        entry.TtlTicks != 0 && _timeProvider.GetElapsedTime(entry.Timestamp, _timeProvider.GetTimestamp()).Ticks > entry.TtlTicks;

    // The entry a partition at its quota evicts: its least recently used under LRU and W-TinyLFU; otherwise SIEVE's sweep
    // over the partition's own entries in insertion order, each mark giving one more round.
    private int PartitionVictim(PartitionState partition)
    {
        if (_policy is CacheEvictionPolicy.Lru or CacheEvictionPolicy.WTinyLfu)
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
