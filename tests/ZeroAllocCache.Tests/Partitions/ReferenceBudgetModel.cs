namespace ZeroAllocCache.Tests.Partitions;

/// <summary>
/// A plain model of the cache's bounds, obviously correct: one list in recency order (most recent first) of every
/// entry with its partition and size, evicting exactly as the cache promises. A partition at its quota loses its own
/// least recently used entry; the cache over its count or byte bound loses its least recently used overall.
/// </summary>
internal sealed class ReferenceBudgetModel(int maxSize, long maxBytes, int maxSizePerPartition, long maxBytesPerPartition)
{
    private readonly List<(string? Partition, int Key, int Value, long Size)> _entries = [];
    private long _evictions;
    private long _rejected;

    public IReadOnlyList<(string? Partition, int Key, int Value, long Size)> Entries => _entries;

    public long Evictions => _evictions;

    public long Rejected => _rejected;

    public long Bytes => _entries.Sum(e => e.Size);

    public long BytesOf(string? partition) => _entries.Where(e => e.Partition == partition).Sum(e => e.Size);

    public int CountOf(string? partition) => _entries.Count(e => e.Partition == partition);

    public bool TryGet(string? partition, int key, out int value)
    {
        int i = _entries.FindIndex(e => e.Partition == partition && e.Key == key);
        if (i < 0)
        {
            value = 0;
            return false;
        }

        var entry = _entries[i];
        _entries.RemoveAt(i);
        _entries.Insert(0, entry);
        value = entry.Value;
        return true;
    }

    public void Put(string? partition, int key, int value, long size)
    {
        int i = _entries.FindIndex(e => e.Partition == partition && e.Key == key);
        if ((maxBytes != 0 && size > maxBytes) || (partition is not null && maxBytesPerPartition != 0 && size > maxBytesPerPartition))
        {
            if (i >= 0)
            {
                _entries.RemoveAt(i);
            }

            _rejected++;
            return;
        }

        if (i >= 0)
        {
            _entries.RemoveAt(i);
        }
        else
        {
            if (partition is not null && maxSizePerPartition != 0 && CountOf(partition) >= maxSizePerPartition)
            {
                EvictLast(partition);
            }

            if (maxSize != 0 && _entries.Count >= maxSize)
            {
                EvictLast(null, anyPartition: true);
            }
        }

        _entries.Insert(0, (partition, key, value, size));
        while (partition is not null && maxBytesPerPartition != 0 && BytesOf(partition) > maxBytesPerPartition)
        {
            EvictLast(partition);
        }

        while (maxBytes != 0 && Bytes > maxBytes)
        {
            EvictLast(null, anyPartition: true);
        }
    }

    public bool Invalidate(string? partition, int key) => _entries.RemoveAll(e => e.Partition == partition && e.Key == key) > 0;

    private void EvictLast(string? partition, bool anyPartition = false)
    {
        int i = _entries.FindLastIndex(e => anyPartition || e.Partition == partition);
        _entries.RemoveAt(i);
        _evictions++;
    }
}
