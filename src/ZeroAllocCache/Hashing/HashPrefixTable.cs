using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Hashing;

/// <summary>
/// A small, fixed-size table of SHA-256 states taken after a repeated key prefix (the domain, system prompt, model
/// and parameters), so that a later key with the same prefix hashes only what follows it.
/// </summary>
/// <remarks>
/// <para>
/// A slot holds a prefix and the state after the prefix's whole 64-byte blocks; the prefix's last, partial block
/// stays in the request's own buffer, which hashes it with what follows. A prefix is recognised only by an exact byte
/// comparison with the stored copy.
/// </para>
/// <para>
/// The table is 8 sets of 4 slots; a prefix is admitted on its second sighting in a row within its set (so a stream
/// of one-off prefixes does not churn the table and pay for copies), then replaces the slots of its set in turn.
/// Shared by every cache in the process, since a state depends only on the bytes hashed.
/// </para>
/// <para>
/// Each slot is a sequence lock: readers take no lock and write nothing shared, so threads reading the same hot prefix
/// do not contend; a reader that overlaps a writer sees the version move and treats the lookup as a miss. The slots'
/// prefix bytes are one array allocated with the table, so neither lookups nor replacements allocate.
/// </para>
/// </remarks>
internal static class HashPrefixTable
{
    /// <summary>Shorter prefixes are not worth a lookup: they hold no whole block to skip.</summary>
    public const int MinimumPrefixLength = Sha256Padding.BlockSize;

    /// <summary>A prefix is a part of the request that is still in the sink's stack buffer.</summary>
    public const int MaximumPrefixLength = KeyHashSink.StackBufferSize;

    private const int Sets = 8;
    private const int Ways = 4;

    private static readonly Slot[] s_slots = CreateSlots();

    // Slot i's prefix is at i * MaximumPrefixLength.
    private static readonly byte[] s_prefixes = new byte[Sets * Ways * MaximumPrefixLength];

    private static readonly int[] s_nextVictim = new int[Sets];

    // Per set, the fingerprint of the last prefix that missed: a prefix is admitted when it misses twice in a row.
    private static readonly ulong[] s_candidates = new ulong[Sets];

    /// <summary>
    /// Finds <paramref name="prefix"/> and copies out the state after its whole blocks (the first
    /// <c>prefix.Length / 64 * 64</c> bytes). On a miss <paramref name="state"/> holds nothing meaningful.
    /// </summary>
    public static bool TryResume(ReadOnlySpan<byte> prefix, ref Sha256State state) =>
        TryResume(prefix, ref state, out _);

    /// <summary>
    /// Finds <paramref name="prefix"/> and copies out the state after its whole blocks (the first
    /// <c>prefix.Length / 64 * 64</c> bytes), and names the slot it was found in. On a miss <paramref name="state"/>
    /// holds nothing meaningful.
    /// </summary>
    public static bool TryResume(ReadOnlySpan<byte> prefix, ref Sha256State state, out PrefixSlot found)
    {
        int first = SetOf(Fingerprint(prefix)) * Ways;
        for (int index = first; index < first + Ways; index++)
        {
            ref Slot slot = ref s_slots[index];
            long version = Volatile.Read(ref slot.Version);
            if ((version & 1) != 0 || slot.PrefixLength != prefix.Length
                || !s_prefixes.AsSpan(index * MaximumPrefixLength, prefix.Length).SequenceEqual(prefix))
            {
                continue;
            }

            Sha256State.Copy(in slot.State, ref state);

            // The reads above must complete before the version is read again; a writer in between changed it.
            Volatile.ReadBarrier();
            if (Volatile.Read(ref slot.Version) == version)
            {
                found = new PrefixSlot(index, version);
                return true;
            }
        }

        found = PrefixSlot.None;
        return false;
    }

    /// <summary>
    /// Resumes from a slot that held a known prefix, if it has not been written since: copies out the state after
    /// the prefix's whole blocks and, into <paramref name="partialBlock"/>, the prefix's bytes after them.
    /// </summary>
    /// <param name="found">The slot, as <see cref="TryResume(ReadOnlySpan{byte}, ref Sha256State, out PrefixSlot)"/> named it.</param>
    /// <param name="state">The state after the prefix's whole blocks, on success.</param>
    /// <param name="partialBlock">At least 63 bytes: receives the prefix's last, partial block.</param>
    /// <param name="hashedLength">On success, the length of the whole blocks the state covers.</param>
    /// <returns>The length of the partial block, or -1 when the slot changed: the caller must not use what it got.</returns>
    public static int TryResume(PrefixSlot found, ref Sha256State state, Span<byte> partialBlock, out int hashedLength)
    {
        Debug.Assert(partialBlock.Length >= Sha256Padding.BlockSize - 1);
        hashedLength = 0;
        if ((uint)found.Index >= (uint)s_slots.Length)
        {
            return -1;
        }

        ref Slot slot = ref s_slots[found.Index];
        if (Volatile.Read(ref slot.Version) != found.Version)
        {
            return -1;
        }

        int prefixLength = slot.PrefixLength;
        int wholeBlocks = prefixLength & ~(Sha256Padding.BlockSize - 1);
        int partialLength = prefixLength - wholeBlocks;
        Sha256State.Copy(in slot.State, ref state);
        int start = (found.Index * MaximumPrefixLength) + wholeBlocks;
        if (wholeBlocks <= MaximumPrefixLength - Sha256Padding.BlockSize && partialBlock.Length >= Sha256Padding.BlockSize)
        {
            // A whole block's worth, whatever the partial length: a fixed-size copy is a few vector moves, not a call.
            // The bytes after the partial block are the slot's spare room, which the caller overwrites.
            Unsafe.CopyBlockUnaligned(ref partialBlock[0], ref s_prefixes[start], Sha256Padding.BlockSize);
        }
        else
        {
            s_prefixes.AsSpan(start, partialLength).CopyTo(partialBlock);
        }

        // As in the lookup by content: a writer that started after the first version check changed it.
        Volatile.ReadBarrier();
        if (Volatile.Read(ref slot.Version) != found.Version)
        {
            return -1;
        }

        hashedLength = wholeBlocks;
        return partialLength;
    }

    /// <summary>
    /// Offers the state after <paramref name="prefix"/>'s whole blocks: stored, replacing the oldest entry of its
    /// set, if the same prefix was offered just before.
    /// </summary>
    public static void Offer(ReadOnlySpan<byte> prefix, in Sha256State stateAfterWholeBlocks)
    {
        Debug.Assert(prefix.Length is >= MinimumPrefixLength and <= MaximumPrefixLength);
        ulong fingerprint = Fingerprint(prefix);
        int set = SetOf(fingerprint);
        if (Interlocked.Exchange(ref s_candidates[set], fingerprint) != fingerprint)
        {
            return;
        }

        int index = (set * Ways) + (int)((uint)Interlocked.Increment(ref s_nextVictim[set]) % Ways);
        ref Slot slot = ref s_slots[index];

        long version = Volatile.Read(ref slot.Version);
        if ((version & 1) != 0 || Interlocked.CompareExchange(ref slot.Version, version + 1, version) != version)
        {
            return; // another thread is writing this slot; this prefix can be remembered next time
        }

        try
        {
            prefix.CopyTo(s_prefixes.AsSpan(index * MaximumPrefixLength, MaximumPrefixLength));
            slot.PrefixLength = prefix.Length;
            slot.State = stateAfterWholeBlocks;
        }
        finally
        {
            Volatile.Write(ref slot.Version, version + 2);
        }
    }

    /// <summary>Empties every slot. For tests.</summary>
    internal static void Clear()
    {
        for (int index = 0; index < s_slots.Length; index++)
        {
            ref Slot slot = ref s_slots[index];
            long version = Volatile.Read(ref slot.Version);
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
        slots.AsSpan().Fill(new Slot { PrefixLength = -1 });
        return slots;
    }

    private struct Slot
    {
        /// <summary>
        /// Even when the slot is stable, odd while a writer fills it. 64 bits, so that it never comes back to a value a
        /// reader remembered (<see cref="PrefixSlot"/>): a 32-bit one would after 2^31 writes.
        /// </summary>
        public long Version;

        public int PrefixLength;

        public Sha256State State;
    }
}
