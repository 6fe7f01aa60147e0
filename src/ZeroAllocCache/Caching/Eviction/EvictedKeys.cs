using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ZeroAllocCache;

/// <summary>
/// The fingerprints of the last keys to leave the cache, each with a count, in a preallocated ring; the oldest fall out
/// as new ones arrive. S3-FIFO's ghost queue asks only whether a key is there; W-TinyLFU keeps in the count how often
/// the key was asked, handed back when the key is stored again (a resident entry keeps its own,
/// <c>CacheEntry.Frequency</c>). Nothing is allocated after construction. Under the cache's lock.
/// </summary>
/// <remarks>
/// Where W-TinyLFU's count-min sketch keeps an approximate count of every key in a few bits, this keeps exact counts
/// of a bounded number of keys (a few times the capacity, tens of bytes each): small beside cached answers of
/// kilobytes, and it ranks keys better on small caches, where a sketch's collisions weigh most.
/// </remarks>
internal sealed class EvictedKeys
{
    private readonly ulong[] _ring;

    // By fingerprint: the count, and how many ring slots hold the fingerprint (a key evicted, stored and evicted again
    // is in the ring twice; it is forgotten with the last of them).
    private readonly Dictionary<ulong, (int Count, int Slots)> _keys;
    private int _next;
    private int _filled;

    public EvictedKeys(int capacity)
    {
        _ring = new ulong[Math.Max(1, capacity)];
        _keys = new Dictionary<ulong, (int, int)>(_ring.Length);
    }

    /// <summary>Whether <paramref name="key"/> is among the keys remembered.</summary>
    public bool Contains(in CacheKey key) => _keys.ContainsKey(key.IndexBits);

    /// <summary>Remembers <paramref name="key"/>, leaving the cache now, with <paramref name="count"/>.</summary>
    public void Add(in CacheKey key, int count = 0)
    {
        if (_filled == _ring.Length)
        {
            ulong oldest = _ring[_next];
            ref (int Count, int Slots) forgotten = ref CollectionsMarshal.GetValueRefOrNullRef(_keys, oldest);
            if (--forgotten.Slots == 0)
            {
                _keys.Remove(oldest);
            }
        }
        else
        {
            _filled++;
        }

        ulong fingerprint = key.IndexBits;
        _ring[_next] = fingerprint;
        _next = (_next + 1) % _ring.Length;
        ref (int Count, int Slots) remembered = ref CollectionsMarshal.GetValueRefOrAddDefault(_keys, fingerprint, out _);
        remembered = (count, remembered.Slots + 1);
    }

    /// <summary>
    /// The count <paramref name="key"/> left with (0 if it is not remembered), handed back to the entry being stored, so
    /// forgotten here.
    /// </summary>
    public int Take(in CacheKey key)
    {
        ref (int Count, int Slots) remembered = ref CollectionsMarshal.GetValueRefOrNullRef(_keys, key.IndexBits);
        if (Unsafe.IsNullRef(ref remembered))
        {
            return 0;
        }

        int count = remembered.Count;
        remembered.Count = 0;
        return count;
    }

    public void Clear()
    {
        _keys.Clear();
        _next = 0;
        _filled = 0;
    }
}
