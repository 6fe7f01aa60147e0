using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ZeroAllocCache;

/// <content>
/// Hits without the lock, for SIEVE and S3-FIFO, whose hits change no list: the index and the entry are read while
/// writers may be changing them, and the entry's version (<see cref="EntryVersion"/>) says whether what was read is
/// one consistent, valid entry. Anything uncertain (a version that moved, an entry past its TTL, a chain that does not
/// end, a miss) goes the locked way, which decides and counts it.
/// </content>
public sealed partial class ExactMatchCache<TValue>
{
    // Bucket chains longer than this are walked under the lock: a chain rewritten while it is read could otherwise loop.
    private const int MaxLockFreeChain = 64;

    // The index's buckets as lock-free readers find them (replaced when an unbounded cache grows).
    private int[] _readerBuckets;

    // Hits counted without the lock, one padded slot per processor (ProcessorStripes), so that cores write lines of
    // their own. The first line is left empty: it holds the array's length, which every hit's bounds check reads, so a
    // counter there would make every other core miss on that read after each hit of the core writing it.
    private readonly long[] _lockFreeHits = new long[(ProcessorStripes.Count + 1) * HitStripeStride];

    private const int HitStripeStride = 8; // 8 longs: one 64-byte cache line per stripe

    // An entry's hit count grows on lock-free hits up to here and then stays: a hot entry shared by many cores must
    // stop being written on every hit, or its cache line moves between them on each one.
    internal const int LockFreeHitCountCap = 1_000;

    // The hits counted on both paths.
    private long AllHits
    {
        get
        {
            long hits = _hits;
            for (int stripe = 0; stripe < ProcessorStripes.Count; stripe++)
            {
                hits += Volatile.Read(ref _lockFreeHits[SlotOf(stripe)]);
            }

            return hits;
        }
    }

    private void ResetLockFreeHits() => Array.Clear(_lockFreeHits);

    // A stripe's counter, past the array's first line.
    private static int SlotOf(int stripe) => (stripe + 1) * HitStripeStride;

    // A hit of an entry that is valid, unchanged while it was read, of the key and partition asked for, and no older
    // than its TTL; false sends the caller down the locked path (which also removes an expired entry).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryHitWithoutLock(in CacheKey key, int partitionId, [MaybeNullWhen(false)] out TValue value)
    {
        CacheEntry<TValue>[] entries = Volatile.Read(ref _pool.Entries);
        int[] buckets = Volatile.Read(ref _readerBuckets);
        int link = Volatile.Read(ref buckets[(int)key.IndexBits & (buckets.Length - 1)]);
        for (int steps = 0; link != 0 && steps < MaxLockFreeChain; steps++)
        {
            int index = link - 1;
            if ((uint)index >= (uint)entries.Length)
            {
                break; // an index newer than the entries read: the locked path sorts it out
            }

            ref CacheEntry<TValue> entry = ref entries[index];
            int version = Volatile.Read(ref entry.Version);
            if (EntryVersion.IsValid(version) && entry.Key.Equals(key) && entry.Partition == partitionId)
            {
                TValue found = entry.Value;
                long ttlTicks = entry.TtlTicks;
                long timestamp = entry.Timestamp;

                // Every field above is read before the version is read again.
                Volatile.ReadBarrier();
                if (Volatile.Read(ref entry.Version) != version
                    || (ttlTicks != 0 && _timeProvider.GetElapsedTime(timestamp, _timeProvider.GetTimestamp()).Ticks > ttlTicks))
                {
                    break;
                }

                MarkHit(ref entry);
                value = found;
                return true;
            }

            link = Volatile.Read(ref entry.NextInBucket);
        }

        value = default;
        return false;
    }

    // What a lock-free hit leaves: the policy's mark and the entry's hit count (each written only while it changes, so
    // that a hot entry's line stays shared between cores) and the stripe's hit counter; plain stores that may race and
    // lose a count, never a value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkHit(ref CacheEntry<TValue> entry)
    {
        if (entry.Mark < (_policy == CacheEvictionPolicy.Sieve ? 1 : 3))
        {
            entry.Mark++;
        }

        if (entry.HitCount < LockFreeHitCountCap)
        {
            entry.HitCount++;
        }

        _lockFreeHits[SlotOf(ProcessorStripes.Current)]++;
    }
}
