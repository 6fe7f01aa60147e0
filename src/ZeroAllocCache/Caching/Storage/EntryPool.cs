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

    public EntryPool(int capacity)
    {
        Entries = new CacheEntry<TValue>[capacity];
    }

    /// <summary>The slots. Replaced by a larger array when the pool grows.</summary>
    public CacheEntry<TValue>[] Entries { get; private set; }

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

    /// <summary>Moves every slot into a larger array; indices stay valid.</summary>
    public void Grow(int capacity)
    {
        CacheEntry<TValue>[] larger = new CacheEntry<TValue>[capacity];
        Array.Copy(Entries, larger, _highWater);
        Entries = larger;
    }

    public void Clear()
    {
        Array.Clear(Entries, 0, _highWater);
        _freeHead = LruList.None;
        _highWater = 0;
        Count = 0;
    }
}
