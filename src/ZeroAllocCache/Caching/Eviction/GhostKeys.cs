namespace ZeroAllocCache;

/// <summary>
/// S3-FIFO's ghost queue: the fingerprints of the last keys evicted from the small queue, without their values, in a
/// preallocated ring and a count per fingerprint; the oldest fall out as new ones arrive. Nothing is allocated after
/// construction. Under the cache's lock.
/// </summary>
internal sealed class GhostKeys
{
    private readonly ulong[] _ring;
    private readonly Dictionary<ulong, int> _counts;
    private int _next;
    private int _count;

    public GhostKeys(int capacity)
    {
        _ring = new ulong[Math.Max(1, capacity)];
        _counts = new Dictionary<ulong, int>(_ring.Length);
    }

    public bool Contains(in CacheKey key) => _counts.ContainsKey(key.IndexBits);

    public void Add(in CacheKey key)
    {
        if (_count == _ring.Length)
        {
            ulong oldest = _ring[_next];
            if (_counts[oldest] == 1)
            {
                _counts.Remove(oldest);
            }
            else
            {
                _counts[oldest]--;
            }
        }
        else
        {
            _count++;
        }

        ulong fingerprint = key.IndexBits;
        _ring[_next] = fingerprint;
        _next = (_next + 1) % _ring.Length;
        _counts[fingerprint] = _counts.TryGetValue(fingerprint, out int seen) ? seen + 1 : 1;
    }

    public void Clear()
    {
        _counts.Clear();
        _next = 0;
        _count = 0;
    }
}
