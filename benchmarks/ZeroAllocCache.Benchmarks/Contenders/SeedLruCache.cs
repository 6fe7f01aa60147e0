using System.Diagnostics.CodeAnalysis;

namespace ZeroAllocCache.Benchmarks.Contenders;

/// <summary>
/// A faithful C# port of the Python seed <c>ExactMatchCache</c>, kept in the benchmarks only: a
/// <see cref="SeedKey"/> string key, a <see cref="Dictionary{TKey, TValue}"/> for lookups and a
/// <see cref="LinkedList{T}"/> for the LRU order (the seed's <c>OrderedDict</c>), one entry object per key, all under
/// one lock. The key is computed before the lock, as the seed did.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <param name="maxSize">The most entries kept; the least recently used is evicted. 0 means unbounded.</param>
/// <param name="ttl">How long an entry stays fresh; <see langword="null"/> for no expiry.</param>
/// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
public sealed class SeedLruCache<TValue>(int maxSize = 1024, TimeSpan? ttl = null, TimeProvider? timeProvider = null)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = [];

    // First is the least recently used, last the most recently used: OrderedDict.move_to_end and popitem(last=False).
    private readonly LinkedList<Entry> _order = new();
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;
    private long _hits;
    private long _misses;

    /// <summary>The number of entries stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The seed's <c>get</c>: a fresh hit is moved to the end of the order and counted.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The token budget.</param>
    /// <param name="value">The cached value on a hit.</param>
    /// <returns><see langword="true"/> on a hit.</returns>
    public bool TryGet(
        string userMessage, string systemPrompt, string model, float temperature, int maxTokens,
        [MaybeNullWhen(false)] out TValue value)
    {
        string key = SeedKey.Compute(userMessage, systemPrompt, model, temperature, maxTokens);
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                _misses++;
                value = default;
                return false;
            }

            Entry entry = node.Value;
            if (ttl is { } duration && _timeProvider.GetElapsedTime(entry.CreatedAt) > duration)
            {
                _order.Remove(node);
                _entries.Remove(key);
                _misses++;
                value = default;
                return false;
            }

            _order.Remove(node);
            _order.AddLast(node);
            entry.HitCount++;
            _hits++;
            value = entry.Value;
            return true;
        }
    }

    /// <summary>
    /// The seed's <c>put</c>: a new entry object at the end of the order, replacing any entry under the key, then the
    /// least recently used entries evicted while the cache is over its size.
    /// </summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The token budget.</param>
    /// <param name="value">The value.</param>
    public void Put(string userMessage, string systemPrompt, string model, float temperature, int maxTokens, TValue value)
    {
        string key = SeedKey.Compute(userMessage, systemPrompt, model, temperature, maxTokens);
        Entry entry = new(key, value, _timeProvider.GetTimestamp());
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out LinkedListNode<Entry>? existing))
            {
                existing.Value = entry;
                _order.Remove(existing);
                _order.AddLast(existing);
                return;
            }

            _entries.Add(key, _order.AddLast(entry));
            while (maxSize > 0 && _entries.Count > maxSize)
            {
                LinkedListNode<Entry> oldest = _order.First!;
                _order.RemoveFirst();
                _entries.Remove(oldest.Value.Key);
            }
        }
    }

    /// <summary>The seed's <c>CacheEntry</c>: the value, when it was stored and how often it was hit.</summary>
    private sealed class Entry(string key, TValue value, long createdAt)
    {
        public string Key { get; } = key;

        public TValue Value { get; } = value;

        public long CreatedAt { get; } = createdAt;

        public int HitCount { get; set; }
    }
}
