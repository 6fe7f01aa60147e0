using System.Diagnostics.CodeAnalysis;
using System.Globalization;

using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ZeroAllocCache;

/// <summary>
/// A thread-safe exact-match cache for LLM responses: strict LRU with an optional size bound and an optional TTL,
/// keyed by the SHA-256 digest of the request's fields.
/// </summary>
/// <typeparam name="TValue">The cached response type.</typeparam>
/// <remarks>
/// <para>
/// Entries live in a preallocated pool of slots linked into an LRU list by index; there is no object per entry.
/// Lookups, puts into a full cache, replacements, invalidations and key creation allocate nothing.
/// </para>
/// <para>
/// Every method is safe to call from any number of threads. Keys are hashed before the lock is taken; the lock
/// covers only the index lookup, the LRU link updates and the counters.
/// </para>
/// </remarks>
public sealed partial class ExactMatchCache<TValue> : IDisposable, IAsyncDisposable
{
    /// <summary>The largest <c>maxSize</c> accepted: 2<sup>30</sup> entries.</summary>
    public const int MaxSupportedSize = 1 << 30;

    // The first pool size of an unbounded cache; it doubles from here.
    private const int UnboundedInitialCapacity = 64;

    private CacheLock _lock;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan? _ttl;
    private readonly int _maxSize;

    private readonly EntryPool<TValue> _pool;
    private KeyIndex _index;
    private LruList _lru = new();

    // The metrics registration of a named cache, ended by Dispose.
    private readonly CacheMetricsRegistration? _metrics;

    // What logs and the backplane call a cache without a name.
    private const string UnnamedCache = "(unnamed)";

    // The second level, when the options name a distributed store.
    private readonly DistributedLevel<TValue>? _distributed;

    // The replicas' channel and locks, when the options name a backplane.
    private readonly BackplaneLink<TValue>? _backplane;
    private readonly TimeSpan _lockTimeout;

    // The serializer of the distributed level and of snapshots: the options', else the registered default, else none.
    private readonly IHybridCacheSerializer<TValue>? _serializer;

    // Incremented under the lock whenever an entry is stored, replaced or removed (not on a hit).
    private long _changes;

    private long _hits;
    private long _misses;
    private long _evictions;
    private long _expirations;

    /// <summary>Creates a cache.</summary>
    /// <param name="maxSize">
    /// The most entries kept; the least recently used is evicted to make room. 0 means unbounded: the pool starts
    /// small and doubles as needed. A bounded pool is allocated whole, up front.
    /// </param>
    /// <param name="ttl">
    /// How long an entry stays fresh after it was stored; <see langword="null"/> for no expiry. An entry whose age is
    /// greater than the TTL is a miss and is removed when read; an age equal to the TTL is still fresh.
    /// </param>
    /// <param name="timeProvider">The clock for TTL and entry ages; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxSize"/> is negative or above <see cref="MaxSupportedSize"/>, or <paramref name="ttl"/> is
    /// zero or negative.
    /// </exception>
    /// <remarks>The same cache as <see cref="ExactMatchCache{TValue}(ExactMatchCacheOptions{TValue})"/> with these three options.</remarks>
    public ExactMatchCache(int maxSize = ExactMatchCacheOptions<TValue>.DefaultMaxSize, TimeSpan? ttl = null, TimeProvider? timeProvider = null)
        : this(CheckPositional(maxSize, ttl, timeProvider))
    {
    }

    /// <summary>Creates a cache from <paramref name="options"/>.</summary>
    /// <param name="options">The options; the cache keeps a copy, so later changes to them do not reach it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An option is out of range; <see cref="ArgumentException.ParamName"/> names it (for example <c>MaxSize</c>).
    /// </exception>
    public ExactMatchCache(ExactMatchCacheOptions<TValue> options)
        : this(CheckOptions(options))
    {
    }

    // Both public constructors end here, with options that are checked and the cache's own.
    private ExactMatchCache(CheckedOptions checkedOptions)
    {
        ExactMatchCacheOptions<TValue> options = checkedOptions.Options;
        _maxSize = options.MaxSize;
        _ttl = options.Ttl;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        Name = options.Name;

        int capacity = _maxSize == 0 ? UnboundedInitialCapacity : _maxSize;
        _pool = new EntryPool<TValue>(capacity);
        _index = new KeyIndex(capacity);

        _serializer = options.Serializer ?? (CacheSerializers.TryGet(out IHybridCacheSerializer<TValue>? registered) ? registered : null);
        if (options.DistributedCache is { } store)
        {
            ILogger logger = options.LoggerFactory?.CreateLogger("ZeroAllocCache.ExactMatchCache") ?? NullLogger.Instance;
            _distributed = new DistributedLevel<TValue>(store, SerializerFor(_serializer), options, _timeProvider, logger, Name ?? UnnamedCache);
        }

        if (options.Backplane is { } backplane)
        {
            ILogger logger = options.LoggerFactory?.CreateLogger("ZeroAllocCache.ExactMatchCache") ?? NullLogger.Instance;
            _lockTimeout = options.DistributedLockTimeout;
            _backplane = new BackplaneLink<TValue>(this, backplane, Name ?? UnnamedCache, options.DistributedTimeout, logger);
            if (_distributed is not null)
            {
                // With a store, a change is announced once it is there, so that the replicas that hear of it find it.
                _distributed.Written = _backplane.Publish;
            }
        }

        if (Name is not null)
        {
            _metrics = CacheMetrics.Register(this, Name);
        }
    }

    /// <summary>The cache's name (<see cref="ExactMatchCacheOptions{TValue}.Name"/>), or <see langword="null"/>.</summary>
    public string? Name { get; }

    /// <summary>The clock the cache measures entry ages with.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>The most entries kept; 0 when the cache is unbounded.</summary>
    public int MaxSize => _maxSize;

    /// <summary>How long an entry stays fresh; <see langword="null"/> when entries never expire.</summary>
    public TimeSpan? Ttl => _ttl;

    /// <summary>The number of entries stored, expired entries not yet read included.</summary>
    public int Count
    {
        get
        {
            using (_lock.Enter())
            {
                return _pool.Count;
            }
        }
    }

    /// <summary>A consistent snapshot of the counters and the size.</summary>
    /// <remarks>The distributed and backplane counters are read beside the memory ones, not under the same lock.</remarks>
    public CacheStats Stats
    {
        get
        {
            using (_lock.Enter())
            {
                return new CacheStats(_hits, _misses, _pool.Count, _evictions, _expirations)
                {
                    DistributedHits = _distributed?.Hits ?? 0,
                    DistributedMisses = _distributed?.Misses ?? 0,
                    DistributedErrors = _distributed?.Errors ?? 0,
                    DistributedWritesDropped = _distributed?.DroppedWrites ?? 0,
                    BackplaneMessagesReceived = _backplane?.Received ?? 0,
                    BackplaneResyncs = _backplane?.Resyncs ?? 0,
                };
            }
        }
    }

    /// <summary>Looks up the response to a chat request.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The maximum number of tokens to generate.</param>
    /// <param name="value">The cached response when found; otherwise the default value.</param>
    /// <returns><see langword="true"/> on a hit, which also makes the entry the most recently used.</returns>
    /// <exception cref="ArgumentNullException">A string argument is <see langword="null"/>.</exception>
    public bool TryGet(
        string userMessage, string systemPrompt, string model, float temperature, int maxTokens,
        [MaybeNullWhen(false)] out TValue value)
    {
        CacheKey key = CacheKey.Create(userMessage, systemPrompt, model, temperature, maxTokens);
        return TryGet(in key, out value);
    }

    /// <summary>Stores the response to a chat request.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The maximum number of tokens to generate.</param>
    /// <param name="value">The response.</param>
    /// <exception cref="ArgumentNullException">A string argument is <see langword="null"/>.</exception>
    /// <remarks><inheritdoc cref="Put(in CacheKey, TValue)" path="/remarks"/></remarks>
    public void Put(string userMessage, string systemPrompt, string model, float temperature, int maxTokens, TValue value)
    {
        CacheKey key = CacheKey.Create(userMessage, systemPrompt, model, temperature, maxTokens);
        Put(in key, value);
    }

    /// <summary>Removes the response to a chat request.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The maximum number of tokens to generate.</param>
    /// <returns><see langword="true"/> if an entry was stored for the request, expired or not.</returns>
    /// <exception cref="ArgumentNullException">A string argument is <see langword="null"/>.</exception>
    public bool Invalidate(string userMessage, string systemPrompt, string model, float temperature, int maxTokens)
    {
        CacheKey key = CacheKey.Create(userMessage, systemPrompt, model, temperature, maxTokens);
        return Invalidate(in key);
    }

    /// <summary>Looks up the value stored under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The cached value when found; otherwise the default value.</param>
    /// <returns>
    /// <see langword="true"/> on a hit, which also makes the entry the most recently used. An entry older than the
    /// TTL is removed and the lookup is a miss.
    /// </returns>
    public bool TryGet(in CacheKey key, [MaybeNullWhen(false)] out TValue value)
    {
        // Read the clock before the lock: it is the slowest part of a TTL check.
        long now = _ttl.HasValue ? _timeProvider.GetTimestamp() : 0;
        using (_lock.Enter())
        {
            int index = FindFresh(key, now);
            if (index != LruList.None)
            {
                CacheEntry<TValue>[] entries = _pool.Entries;
                ref CacheEntry<TValue> entry = ref entries[index];
                _hits++;
                if (entry.HitCount != int.MaxValue)
                {
                    entry.HitCount++;
                }

                _lru.MoveToFirst(entries, index);
                value = entry.Value;
                return true;
            }

            _misses++;
            value = default;
            return false;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <remarks>
    /// A new key in a full cache evicts the least recently used entry. An existing key gets the new value, its age
    /// and hit count restart, and it becomes the most recently used.
    /// </remarks>
    public void Put(in CacheKey key, TValue value)
    {
        long now = _timeProvider.GetTimestamp();
        using (_lock.Enter())
        {
            StoreUnderLock(key, value, now);
        }

        if (_distributed is { } distributed)
        {
            DateTimeOffset created = _timeProvider.GetUtcNow();
            distributed.EnqueueSet(key, value, created, ExpiryOf(created));
        }
        else
        {
            _backplane?.Publish(new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, key, _timeProvider.GetUtcNow()));
        }
    }

    /// <summary>Removes the entry stored under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <returns><see langword="true"/> if an entry was stored under the key, expired or not.</returns>
    /// <remarks>
    /// A <see cref="GetOrAddAsync{TState}"/> call in progress for the key ends too: its result is not stored, and the
    /// next caller starts a new call.
    /// </remarks>
    public bool Invalidate(in CacheKey key)
    {
        bool removed = InvalidateInMemory(key);
        if (_distributed is { } distributed)
        {
            distributed.EnqueueRemove(key, _timeProvider.GetUtcNow());
        }
        else
        {
            _backplane?.Publish(new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, key, _timeProvider.GetUtcNow()));
        }

        return removed;
    }

    /// <summary>
    /// Reads what the cache knows about the entry under <paramref name="key"/>, without counting a lookup, promoting
    /// the entry or removing it when expired.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="info">The entry's hit count, age and freshness when found.</param>
    /// <returns><see langword="true"/> if an entry is stored under the key, expired or not.</returns>
    public bool TryGetEntryInfo(in CacheKey key, out CacheEntryInfo info)
    {
        long now = _timeProvider.GetTimestamp();
        using (_lock.Enter())
        {
            int index = _index.Find(_pool.Entries, key);
            if (index == LruList.None)
            {
                info = default;
                return false;
            }

            ref CacheEntry<TValue> entry = ref _pool.Entries[index];
            TimeSpan age = _timeProvider.GetElapsedTime(entry.Timestamp, now);
            info = new CacheEntryInfo(entry.HitCount, age, age > _ttl);
            return true;
        }
    }

    /// <summary>Removes every entry from memory and resets every counter.</summary>
    /// <remarks>
    /// Calls of <see cref="GetOrAddAsync{TState}"/> in progress end too: their results are not stored. The distributed
    /// level is left as it is (it cannot be enumerated); <see cref="ClearAsync"/> hides its entries too.
    /// </remarks>
    public void Clear()
    {
        using (_lock.Enter())
        {
            DetachAllCalls();
            TellLoadsCleared();
            _changes++;
            _pool.Clear();
            _index.Clear();
            _lru.Clear();
            _hits = 0;
            _misses = 0;
            _evictions = 0;
            _expirations = 0;
        }

        _distributed?.ResetCounters();
    }

    /// <summary>Describes the cache like the Python seed's repr: size, capacity, TTL and hit rate.</summary>
    /// <returns>For example <c>ExactMatchCache(size=3, max_size=1024, ttl=01:00:00, hit_rate=66.7%)</c>.</returns>
    public override string ToString()
    {
        CacheStats stats = Stats;
        string maxSize = _maxSize == 0 ? "unbounded" : _maxSize.ToString(CultureInfo.InvariantCulture);
        string ttl = _ttl?.ToString("c", CultureInfo.InvariantCulture) ?? "none";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"ExactMatchCache(size={stats.Size}, max_size={maxSize}, ttl={ttl}, hit_rate={stats.HitRate * 100:0.0}%)");
    }

    /// <summary>
    /// Ends what the cache holds outside itself: a named cache stops reporting metrics. The entries stay, and the
    /// cache keeps answering.
    /// </summary>
    /// <remarks>
    /// With a distributed level, the writes still queued for the store are flushed first, for a bounded time (20
    /// times <see cref="ExactMatchCacheOptions{TValue}.DistributedTimeout"/>, at least 5 seconds), and later writes
    /// go to memory only. Prefer <see cref="DisposeAsync"/>, which waits for the flush without blocking a thread.
    /// </remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose" path="/summary"/>
    /// <remarks>With a distributed level, the writes still queued for the store are flushed first, for a bounded time.</remarks>
    /// <returns>A task that completes when the cache has let go.</returns>
    public async ValueTask DisposeAsync()
    {
        _metrics?.Dispose();
        if (_distributed is not null)
        {
            await _distributed.DisposeAsync().ConfigureAwait(false);
        }

        if (_backplane is not null)
        {
            await _backplane.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A distributed level cannot work without a serializer.
    private static IHybridCacheSerializer<TValue> SerializerFor(IHybridCacheSerializer<TValue>? serializer) =>
        serializer
        ?? throw new InvalidOperationException(
            $"ExactMatchCache<{typeof(TValue).Name}> has a distributed cache but no serializer for {typeof(TValue).FullName}: " +
            "set ExactMatchCacheOptions.Serializer (JsonCacheSerializer<T> takes a source-generated JsonTypeInfo), or register a default with " +
            "CacheSerializers.Register. string and byte[] have one built in.");

    // When an entry created at the given time expires by the cache's TTL.
    private DateTimeOffset? ExpiryOf(DateTimeOffset created) => _ttl is { } ttl ? created + ttl : null;

    private static CheckedOptions CheckPositional(int maxSize, TimeSpan? ttl, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSize, MaxSupportedSize);
        if (ttl is { } duration)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero, nameof(ttl));
        }

        return new CheckedOptions(new ExactMatchCacheOptions<TValue> { MaxSize = maxSize, Ttl = ttl, TimeProvider = timeProvider });
    }

    private static CheckedOptions CheckOptions(ExactMatchCacheOptions<TValue> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ExactMatchCacheOptions<TValue> copy = options.Clone();
        IReadOnlyList<(string Option, string Problem)> problems = copy.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentOutOfRangeException(problems[0].Option, problems[0].Problem);
        }

        return new CheckedOptions(copy);
    }

    // Options that passed the checks, in a copy no caller holds.
    private readonly record struct CheckedOptions(ExactMatchCacheOptions<TValue> Options);

    // Stores or replaces the entry for the key. Under the lock.
    private void StoreUnderLock(in CacheKey key, TValue value, long now)
    {
        _changes++;
        CacheEntry<TValue>[] entries = _pool.Entries;
        int index = _index.Find(entries, key);
        if (index != LruList.None)
        {
            ref CacheEntry<TValue> existing = ref entries[index];
            existing.Value = value;
            existing.Timestamp = now;
            existing.HitCount = 0;
            _lru.MoveToFirst(entries, index);
            return;
        }

        index = TakeSlot();
        entries = _pool.Entries;
        ref CacheEntry<TValue> entry = ref entries[index];
        entry.Key = key;
        entry.Value = value;
        entry.Timestamp = now;
        entry.HitCount = 0;
        _index.Add(entries, index);
        _lru.AddFirst(entries, index);
    }

    // Returns the entry's index if it is stored and fresh; an expired entry is removed and counted. Under the lock.
    private int FindFresh(in CacheKey key, long now)
    {
        int index = _index.Find(_pool.Entries, key);
        if (index != LruList.None && _ttl is { } ttl
            && _timeProvider.GetElapsedTime(_pool.Entries[index].Timestamp, now) > ttl)
        {
            RemoveEntry(index);
            _expirations++;
            return LruList.None;
        }

        return index;
    }

    // Finds a slot for a new entry: a free one, a new one in a growing pool, or the least recently used. Under the lock.
    private static readonly TimeSpan MaxEntryAge = TimeSpan.FromDays(36_525);

    // The memory timestamp of an entry of the given age. A negative age (another clock runs ahead) is taken as zero
    // and one beyond a century as a century, so that no arithmetic on timestamps (up to 1 GHz) can overflow.
    private long TimestampOfAge(long now, TimeSpan age) =>
        now - (long)(Math.Clamp(age.TotalSeconds, 0, MaxEntryAge.TotalSeconds) * _timeProvider.TimestampFrequency);

    // The wall-clock time at which an entry of the given age was created, no earlier than the calendar allows.
    private static DateTimeOffset CreatedAt(DateTimeOffset now, TimeSpan age) =>
        age < now - DateTimeOffset.MinValue ? now - age : DateTimeOffset.MinValue;

    private int TakeSlot()
    {
        if (_pool.TryRent(out int index))
        {
            return index;
        }

        if (_maxSize == 0)
        {
            GrowUnbounded();
            _pool.TryRent(out index);
            return index;
        }

        // Full: reuse the least recently used entry's slot in place.
        CacheEntry<TValue>[] entries = _pool.Entries;
        index = _lru.Tail;
        _index.Remove(entries, index);
        _lru.Remove(entries, index);
        _evictions++;
        return index;
    }

    private void RemoveEntry(int index)
    {
        _changes++;
        CacheEntry<TValue>[] entries = _pool.Entries;
        _index.Remove(entries, index);
        _lru.Remove(entries, index);
        _pool.Return(index);
    }

    private void GrowUnbounded()
    {
        int capacity = _pool.Capacity;
        if (capacity >= MaxSupportedSize)
        {
            throw new InvalidOperationException($"An unbounded cache holds at most {MaxSupportedSize} entries.");
        }

        int larger = (int)Math.Min((long)capacity * 2, MaxSupportedSize);
        _pool.Grow(larger);

        // Rebuild the index over the live entries, found by walking the LRU list.
        CacheEntry<TValue>[] entries = _pool.Entries;
        KeyIndex index = new(larger);
        for (int i = _lru.Head; i != LruList.None; i = entries[i].Next)
        {
            index.Add(entries, i);
        }

        _index = index;
    }
}
