using System.Runtime.CompilerServices;

namespace ZeroAllocCache;

/// <summary>
/// The preallocated array of entry slots, with a free list threaded through <see cref="CacheEntry{TValue}.Next"/>.
/// Slots are handed out in order until the array is full; a removed entry's slot is reused first.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
internal sealed class EntryPool<TValue>
{
    private int _freeHead = LruList.None;

    // Slots below this index have been handed out at least once; the ones above have never been used.
    private int _highWater;

    /// <summary>
    /// The slots. Replaced by a larger array when the pool grows; a field, so that lock-free readers can read it with
    /// <see cref="Volatile.Read{T}(ref readonly T)"/>.
    /// </summary>
    public CacheEntry<TValue>[] Entries;

    public EntryPool(int capacity)
    {
        Entries = new CacheEntry<TValue>[capacity];
    }

    /// <summary>The number of slots in use.</summary>
    public int Count { get; private set; }

    public int Capacity => Entries.Length;

    /// <summary>Takes a free slot; <see langword="false"/> when every slot is in use.</summary>
    public bool TryRent(out int index)
    {
        if (_freeHead != LruList.None)
        {
            index = _freeHead;
            _freeHead = Entries[index].Next;
        }
        else if (_highWater < Entries.Length)
        {
            index = _highWater++;
        }
        else
        {
            index = LruList.None;
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>Frees a slot, dropping its value so the pool keeps nothing alive.</summary>
    public void Return(int index)
    {
        ref CacheEntry<TValue> entry = ref Entries[index];
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TValue>())
        {
            entry.Value = default!;
        }

        entry.Next = _freeHead;
        _freeHead = index;
        Count--;
    }

    /// <summary>
    /// Moves every slot into a larger array; indices stay valid. The old array's entries are marked invalid, so that a
    /// lock-free reader still holding it gives up rather than return what may since have changed in the new one.
    /// </summary>
    public void Grow(int capacity)
    {
        CacheEntry<TValue>[] old = Entries;
        CacheEntry<TValue>[] larger = new CacheEntry<TValue>[capacity];
        Array.Copy(old, larger, _highWater);
        Volatile.Write(ref Entries, larger);
        for (int i = 0; i < _highWater; i++)
        {
            EntryVersion.Invalidate(ref old[i]);
        }
    }

    /// <summary>
    /// Frees every slot. Versions are kept, not zeroed, and only moved on: a version that came back to a value a
    /// lock-free reader saw before the clear would let it accept an entry written since.
    /// </summary>
    public void Clear()
    {
        CacheEntry<TValue>[] entries = Entries;
        for (int i = 0; i < _highWater; i++)
        {
            ref CacheEntry<TValue> entry = ref entries[i];
            EntryVersion.Invalidate(ref entry);
            entry.Value = default!;
            entry.NextInBucket = 0;
        }

        _freeHead = LruList.None;
        _highWater = 0;
        Count = 0;
    }
}
