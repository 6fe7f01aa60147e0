namespace ZeroAllocCache;

/// <summary>
/// W-TinyLFU's memory of keys the cache no longer holds: how often each of the last evicted keys was asked, exact, by
/// fingerprint, in a preallocated ring; the oldest fall out as new ones arrive. A resident entry keeps its own count
/// (<c>CacheEntry.Frequency</c>); the count moves here when the entry is evicted and back when the key is stored again.
/// Nothing is allocated after construction. Under the cache's lock.
/// </summary>
/// <remarks>
/// Where W-TinyLFU's count-min sketch keeps an approximate count of every key in a few bits, this keeps exact counts
/// of a bounded number of keys (a few times the capacity, tens of bytes each): small beside cached answers of
/// kilobytes, and it ranks keys better on small caches, where a sketch's collisions weigh most.
/// </remarks>
internal sealed class FrequencyHistory
{
    private readonly ulong[] _ring;

    // By fingerprint: the count, and how many ring slots hold the fingerprint (a key evicted, stored and evicted again
    // is in the ring twice; its count leaves with the last of them).
    private readonly Dictionary<ulong, (int Frequency, int Slots)> _keys;
    private int _next;
    private int _count;

    public FrequencyHistory(int capacity)
    {
        _ring = new ulong[Math.Max(1, capacity)];
        _keys = new Dictionary<ulong, (int, int)>(_ring.Length);
    }

    /// <summary>Remembers that <paramref name="key"/>, evicted now, had been asked <paramref name="frequency"/> times.</summary>
    public void Add(in CacheKey key, int frequency)
    {
        if (_count == _ring.Length)
        {
            ulong oldest = _ring[_next];
            (int oldestFrequency, int slots) = _keys[oldest];
            if (slots == 1)
            {
                _keys.Remove(oldest);
            }
            else
            {
                _keys[oldest] = (oldestFrequency, slots - 1);
            }
        }
        else
        {
            _count++;
        }

        ulong fingerprint = key.IndexBits;
        _ring[_next] = fingerprint;
        _next = (_next + 1) % _ring.Length;
        _keys[fingerprint] = (frequency, _keys.TryGetValue(fingerprint, out (int, int Slots) seen) ? seen.Slots + 1 : 1);
    }

    /// <summary>
    /// How often <paramref name="key"/> was asked before it was last evicted (0 if it is not remembered); the count is
    /// handed back to the entry being stored, so it is forgotten here.
    /// </summary>
    public int Take(in CacheKey key)
    {
        ulong fingerprint = key.IndexBits;
        if (!_keys.TryGetValue(fingerprint, out (int Frequency, int Slots) seen))
        {
            return 0;
        }

        _keys[fingerprint] = (0, seen.Slots);
        return seen.Frequency;
    }

    public void Clear()
    {
        _keys.Clear();
        _next = 0;
        _count = 0;
    }
}
