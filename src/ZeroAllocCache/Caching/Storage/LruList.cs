namespace ZeroAllocCache;

/// <summary>The index constants of the LRU lists.</summary>
internal static class LruList
{
    /// <summary>The index that means "no entry".</summary>
    public const int None = -1;
}

/// <summary>
/// A doubly linked list of entry indices in recency order: the head is the most recently used entry, the tail the
/// least. The links live in the entries themselves (the pair <typeparamref name="TLinks"/> names), so moving an entry
/// costs a few integer writes, and one entry can be in the cache's list and its partition's at once.
/// </summary>
/// <typeparam name="TLinks">The links this list uses.</typeparam>
internal struct LruList<TLinks>
    where TLinks : struct, ILruLinks
{
    public LruList()
    {
    }

    /// <summary>The most recently used entry, or <see cref="LruList.None"/>.</summary>
    public int Head { get; private set; } = LruList.None;

    /// <summary>The least recently used entry, or <see cref="LruList.None"/>: the next to evict.</summary>
    public int Tail { get; private set; } = LruList.None;

    public void AddFirst<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        TLinks.Previous(ref entry) = LruList.None;
        TLinks.Next(ref entry) = Head;
        if (Head == LruList.None)
        {
            Tail = index;
        }
        else
        {
            TLinks.Previous(ref entries[Head]) = index;
        }

        Head = index;
    }

    /// <summary>Adds an entry as the least recently used: where an entry loaded from a snapshot goes.</summary>
    public void AddLast<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        TLinks.Next(ref entry) = LruList.None;
        TLinks.Previous(ref entry) = Tail;
        if (Tail == LruList.None)
        {
            Head = index;
        }
        else
        {
            TLinks.Next(ref entries[Tail]) = index;
        }

        Tail = index;
    }

    public void Remove<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        int previous = TLinks.Previous(ref entry);
        int next = TLinks.Next(ref entry);
        if (previous == LruList.None)
        {
            Head = next;
        }
        else
        {
            TLinks.Next(ref entries[previous]) = next;
        }

        if (next == LruList.None)
        {
            Tail = previous;
        }
        else
        {
            TLinks.Previous(ref entries[next]) = previous;
        }

        TLinks.Previous(ref entry) = LruList.None;
        TLinks.Next(ref entry) = LruList.None;
    }

    public void MoveToFirst<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        if (Head != index)
        {
            Remove(entries, index);
            AddFirst(entries, index);
        }
    }

    public void Clear()
    {
        Head = LruList.None;
        Tail = LruList.None;
    }
}
