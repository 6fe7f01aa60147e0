using System.Numerics;

namespace ZeroAllocCache;

/// <summary>
/// Maps a <see cref="CacheKey"/> to its entry index: a power-of-two array of buckets, each the head of a chain
/// threaded through <see cref="CacheEntry{TValue}.NextInBucket"/>. The key is a SHA-256 digest, already uniform,
/// so its own low bits pick the bucket: there is no second hash.
/// </summary>
/// <remarks>
/// Buckets and chain links hold <c>entry index + 1</c>, with 0 for "none", so a zeroed array is an empty index.
/// </remarks>
internal readonly struct KeyIndex
{
    private readonly int[] _buckets;
    private readonly int _mask;

    public KeyIndex(int capacity)
    {
        int size = (int)Math.Max(2, BitOperations.RoundUpToPowerOf2((uint)capacity));
        _buckets = new int[size];
        _mask = size - 1;
    }

    /// <summary>The buckets themselves, for readers that take no lock (their length is a power of two).</summary>
    public int[] Buckets => _buckets;

    /// <summary>The number of buckets; at least the capacity the index was made for.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>
    /// Returns the index of the entry holding <paramref name="key"/> in <paramref name="partition"/> (0 for the cache's
    /// own entries), or <see cref="LruList.None"/>: the same key in another partition is another entry.
    /// </summary>
    public int Find<TValue>(CacheEntry<TValue>[] entries, in CacheKey key, int partition)
    {
        int link = _buckets[BucketOf(key)];
        while (link != 0)
        {
            ref CacheEntry<TValue> entry = ref entries[link - 1];
            if (entry.Key.Equals(key) && entry.Partition == partition)
            {
                return link - 1;
            }

            link = entry.NextInBucket;
        }

        return LruList.None;
    }

    public void Add<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref int bucket = ref _buckets[BucketOf(entries[index].Key)];
        entries[index].NextInBucket = bucket;
        bucket = index + 1;
    }

    public void Remove<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        // Follow the chain by reference to the link that points at the entry, then splice the entry out.
        ref int link = ref _buckets[BucketOf(entries[index].Key)];
        while (link != index + 1)
        {
            link = ref entries[link - 1].NextInBucket;
        }

        link = entries[index].NextInBucket;
        entries[index].NextInBucket = 0;
    }

    public void Clear() => Array.Clear(_buckets);

    private int BucketOf(in CacheKey key) => (int)key.IndexBits & _mask;
}
