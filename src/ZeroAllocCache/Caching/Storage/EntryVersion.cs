namespace ZeroAllocCache;

/// <summary>
/// The sequence lock of an entry, for hits that take no lock (SIEVE and S3-FIFO): writers, who hold the cache's lock,
/// make the version even before they change the entry's key, value, partition or times, and odd again after; a reader
/// reads the version, then the fields, then the version again, and trusts the fields only if it read the same odd
/// number twice. Versions only grow, so a slot freed and filled again never shows a reader the number it saw before.
/// </summary>
internal static class EntryVersion
{
    /// <summary>Whether <paramref name="version"/> is that of a valid, stable entry.</summary>
    public static bool IsValid(int version) => (version & 1) != 0;

    /// <summary>Under the lock, before an entry's fields change or it is freed: readers stop trusting it.</summary>
    public static void Invalidate<TValue>(ref CacheEntry<TValue> entry)
    {
        if (IsValid(entry.Version))
        {
            Volatile.Write(ref entry.Version, entry.Version + 1);

            // The fields' writes that follow must not be seen before the version that warns of them.
            Volatile.WriteBarrier();
        }
    }

    /// <summary>Under the lock, once an entry's fields are written: readers may trust them.</summary>
    public static void Publish<TValue>(ref CacheEntry<TValue> entry) => Volatile.Write(ref entry.Version, entry.Version + 1);
}
