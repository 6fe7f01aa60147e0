namespace ZeroAllocCache;

/// <summary>
/// A doubly linked list of entry indices in recency order: the head is the most recently used entry, the tail the
/// least. The links live in the entries themselves, so moving an entry costs a few integer writes.
/// </summary>
internal struct LruList
{
    /// <summary>The index that means "no entry".</summary>
    public const int None = -1;

    public LruList()
    {
    }

    /// <summary>The most recently used entry, or <see cref="None"/>.</summary>
    public int Head { get; private set; } = None;

    /// <summary>The least recently used entry, or <see cref="None"/>: the next to evict.</summary>
    public int Tail { get; private set; } = None;

    public void AddFirst<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Previous = None;
        entry.Next = Head;
        if (Head == None)
        {
            Tail = index;
        }
        else
        {
            entries[Head].Previous = index;
        }

        Head = index;
    }

    /// <summary>Adds an entry as the least recently used: where an entry loaded from a snapshot goes.</summary>
    public void AddLast<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Next = None;
        entry.Previous = Tail;
        if (Tail == None)
        {
            Head = index;
        }
        else
        {
            entries[Tail].Next = index;
        }

        Tail = index;
    }

    public void Remove<TValue>(CacheEntry<TValue>[] entries, int index)
    {
        ref CacheEntry<TValue> entry = ref entries[index];
        if (entry.Previous == None)
        {
            Head = entry.Next;
        }
        else
        {
            entries[entry.Previous].Next = entry.Next;
        }

        if (entry.Next == None)
        {
            Tail = entry.Previous;
        }
        else
        {
            entries[entry.Next].Previous = entry.Previous;
        }

        entry.Previous = None;
        entry.Next = None;
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
        Head = None;
        Tail = None;
    }
}
