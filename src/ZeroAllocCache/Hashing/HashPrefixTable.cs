using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// A small, fixed-size table of SHA-256 states taken right after a repeated key prefix (the domain, system prompt,
/// model and parameters), so that a later key with the same prefix hashes only what follows it.
/// </summary>
/// <remarks>
/// <para>
/// A prefix is recognised only by an exact byte comparison with the stored copy. The table is 8 sets of 4 slots;
/// a prefix is admitted on its second sighting in a row within its set (so a stream of one-off prefixes does not
/// churn the table and pay for copies), then replaces the slots of its set in turn. Shared by every cache in the
/// process, since a state depends only on the bytes hashed.
/// </para>
/// <para>
/// Each slot is a sequence lock: readers take no lock and write nothing shared, so threads reading the same hot prefix
/// do not contend; a reader that overlaps a writer sees the version move and treats the lookup as a miss. Each slot owns
/// a buffer of <see cref="MaximumPrefixLength"/> bytes from the start, so neither lookups nor replacements allocate.
/// </para>
/// </remarks>
internal static class HashPrefixTable
{
    /// <summary>Shorter prefixes are not worth a lookup: they save less than one 64-byte block of compression.</summary>
    public const int MinimumPrefixLength = 64;

    /// <summary>A prefix is a part of the request that is still in the writer's stack buffer.</summary>
    public const int MaximumPrefixLength = CacheKeyWriter.StackBufferSize;

    private const int Sets = 8;
    private const int Ways = 4;

    private static readonly Slot[] s_slots = CreateSlots();
    private static readonly int[] s_nextVictim = new int[Sets];

    // Per set, the fingerprint of the last prefix that missed: a prefix is admitted when it misses twice in a row.
    private static readonly ulong[] s_candidates = new ulong[Sets];

    /// <summary>Copies the state stored after <paramref name="prefix"/> into <paramref name="state"/>, if there is one.</summary>
    // Fully optimised at once, like the other methods of the hit path: their profile-guided tiers measured about
    // twice as slow (see CacheKey.Create).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryResume(ReadOnlySpan<byte> prefix, ref Sha256Context state)
    {
        int first = SetOf(Fingerprint(prefix)) * Ways;
        for (int way = 0; way < Ways; way++)
        {
            Slot slot = s_slots[first + way];
            int version = Volatile.Read(ref slot.Version);
            if ((version & 1) != 0 || slot.PrefixLength != prefix.Length)
            {
                continue;
            }

            byte[] stored = slot.Prefix;
            if (stored.Length < prefix.Length || !stored.AsSpan(0, prefix.Length).SequenceEqual(prefix))
            {
                continue;
            }

            Sha256Context snapshot = slot.State;

            // The reads above must complete before the version is read again.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref slot.Version) == version)
            {
                state = snapshot;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Offers the state after <paramref name="prefix"/>: stored, replacing the oldest entry of its set, if the same
    /// prefix was offered just before.
    /// </summary>
    public static void Offer(ReadOnlySpan<byte> prefix, in Sha256Context state)
    {
        Debug.Assert(prefix.Length is >= MinimumPrefixLength and <= MaximumPrefixLength);
        ulong fingerprint = Fingerprint(prefix);
        int set = SetOf(fingerprint);
        if (Interlocked.Exchange(ref s_candidates[set], fingerprint) != fingerprint)
        {
            return;
        }

        int way = (int)((uint)Interlocked.Increment(ref s_nextVictim[set]) % Ways);
        Slot slot = s_slots[(set * Ways) + way];

        int version = Volatile.Read(ref slot.Version);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref slot.Version, version + 1, version) != version)
        {
            return; // another thread is writing this slot; this prefix can be remembered next time
        }

        try
        {
            prefix.CopyTo(slot.Prefix);
            slot.PrefixLength = prefix.Length;
            slot.State = state;
        }
        finally
        {
            Volatile.Write(ref slot.Version, version + 2);
        }
    }

    /// <summary>Empties every slot (their buffers are kept). For tests.</summary>
    internal static void Clear()
    {
        foreach (Slot slot in s_slots)
        {
            int version = Volatile.Read(ref slot.Version);
            if ((version & 1) == 0 && Interlocked.CompareExchange(ref slot.Version, version + 1, version) == version)
            {
                slot.PrefixLength = -1;
                Volatile.Write(ref slot.Version, version + 2);
            }
        }
    }

    // Mixes the length with a few words of content: prefixes of one length (one system prompt, several models)
    // still spread over the sets. Any collision is harmless: the full comparison decides.
    private static ulong Fingerprint(ReadOnlySpan<byte> prefix)
    {
        ulong mix = (ulong)prefix.Length * 0x9E3779B97F4A7C15;
        mix ^= BinaryPrimitives.ReadUInt64LittleEndian(prefix[^8..]);
        mix ^= BinaryPrimitives.ReadUInt64LittleEndian(prefix[(prefix.Length / 2)..]) * 0xC2B2AE3D27D4EB4F;
        return mix ^ (mix >> 29) ^ (mix >> 47);
    }

    private static int SetOf(ulong fingerprint) => (int)(fingerprint % Sets);

    private static Slot[] CreateSlots()
    {
        Slot[] slots = new Slot[Sets * Ways];
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = new Slot();
        }

        return slots;
    }

    private sealed class Slot
    {
        /// <summary>Even when the slot is stable, odd while a writer fills it.</summary>
        public int Version;

        public int PrefixLength = -1;

        // A prefix lives in the writer's stack buffer, so a buffer of that size holds any prefix. Allocated with the
        // table (32 × 2 KB), so that no key ever allocates to store a prefix, not even the first ones.
        public readonly byte[] Prefix = new byte[MaximumPrefixLength];

        public Sha256Context State;
    }
}
