using System.Runtime.CompilerServices;

using ZeroAllocCache.Hashing;

namespace ZeroAllocCache;

/// <summary>
/// For each thread, the chat prefixes (system prompt, model, temperature and token budget) it last found in
/// <see cref="HashPrefixTable"/>, remembered by the identity of their strings, so that a request that passes the same
/// string instances again resumes from the slot without encoding and comparing the prefix.
/// </summary>
/// <remarks>
/// <para>
/// Identity is only a shortcut to a proof made earlier: an entry is remembered after the prefix's bytes matched the
/// slot's, and strings do not change, so the same instances encode to the same bytes. The slot's version, recorded
/// with it, tells whether the slot still holds that prefix. A request with equal strings that are other instances
/// takes the path by content, which then remembers its instances.
/// </para>
/// <para>
/// Per thread, so that looking up and remembering write nothing shared. Each thread keeps at most
/// <see cref="Capacity"/> prefixes, and so keeps their strings alive until replaced.
/// </para>
/// </remarks>
internal static class RecentChatPrefixes
{
    /// <summary>How many prefixes a thread remembers.</summary>
    public const int Capacity = 4;

    [ThreadStatic]
    private static Entries t_entries;

    /// <summary>The slot that held this prefix when the thread last found it there, or <see cref="PrefixSlot.None"/>.</summary>
    public static PrefixSlot Find(string systemPrompt, string model, int temperatureBits, int maxTokens)
    {
        ref Entry entry = ref t_entries[IndexOf(systemPrompt, model, maxTokens)];
        return ReferenceEquals(entry.SystemPrompt, systemPrompt) && ReferenceEquals(entry.Model, model)
            && entry.TemperatureBits == temperatureBits && entry.MaxTokens == maxTokens
            ? entry.Slot
            : PrefixSlot.None;
    }

    /// <summary>Remembers that this prefix, with these instances, was found in <paramref name="slot"/>.</summary>
    public static void Remember(string systemPrompt, string model, int temperatureBits, int maxTokens, PrefixSlot slot)
    {
        ref Entry entry = ref t_entries[IndexOf(systemPrompt, model, maxTokens)];
        entry.SystemPrompt = systemPrompt;
        entry.Model = model;
        entry.TemperatureBits = temperatureBits;
        entry.MaxTokens = maxTokens;
        entry.Slot = slot;
    }

    /// <summary>Forgets every prefix this thread remembers. For tests.</summary>
    internal static void Clear() => t_entries = default;

    // Cheap to compute and enough to keep a thread's few system prompts and models apart; a collision only sends a
    // request down the path by content.
    private static int IndexOf(string systemPrompt, string model, int maxTokens) =>
        (int)((uint)((systemPrompt.Length * 31) + model.Length + maxTokens) % Capacity);

    [InlineArray(Capacity)]
    private struct Entries
    {
        private Entry _entry;
    }

    private struct Entry
    {
        public string? SystemPrompt;
        public string? Model;
        public int TemperatureBits;
        public int MaxTokens;
        public PrefixSlot Slot;
    }
}
