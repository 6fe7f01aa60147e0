using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

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
    private readonly long _ttlTicks;
    private readonly int _maxSize;

    private readonly EntryPool<TValue> _pool;
    private KeyIndex _index;
    private LruList<CacheOrder> _lru = new();

    // The byte budget and the partitions' quotas (0 = none), and the size and TTL chosen per value.
    private readonly long _maxBytes;
    private readonly int _maxSizePerPartition;
    private readonly long _maxBytesPerPartition;
    private readonly Func<TValue, long>? _sizeOf;
    private readonly Func<TValue, TimeSpan?>? _ttlOf;

    // Whether a lookup reads the clock: the cache has a TTL, or entries may have their own. Set, never cleared.
    private bool _readsClock;

    // The metrics registration of a named cache, ended by Dispose.
    private readonly CacheMetricsRegistration? _metrics;

    // What logs and the backplane call a cache without a name.
    private const string UnnamedCache = "(unnamed)";

    // The second level, when the options name a distributed store.
    private readonly DistributedLevel<TValue>? _distributed;

    // With a second level: whether a value it answered with may still go into memory.
    private readonly DistributedFillGuard? _fillGuard;

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
    private long _rejected;
    private long _bytes;

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
        _ttlTicks = _ttl?.Ticks ?? 0;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        Name = options.Name;
        _maxBytes = options.MaxBytes;
        _maxSizePerPartition = options.MaxSizePerPartition;
        _maxBytesPerPartition = options.MaxBytesPerPartition;
        _sizeOf = options.SizeOf ?? (CacheValueSizes.TryGet(out Func<TValue, long>? builtIn) ? builtIn : null);
        _ttlOf = options.TtlOf;
        _policy = options.EvictionPolicy;
        _ghost = GhostFor(_policy, _maxSize);
        _history = HistoryFor(_policy, _maxSize);
        _hitsWithoutLock = HitsWithoutLockUnder(_policy);
        _readsClock = _ttl.HasValue || _ttlOf is not null;

        int capacity = _maxSize == 0 ? UnboundedInitialCapacity : _maxSize;
        _pool = new EntryPool<TValue>(capacity);
        _index = new KeyIndex(capacity);
        _readerBuckets = _index.Buckets;

        _serializer = options.Serializer ?? (CacheSerializers.TryGet(out IHybridCacheSerializer<TValue>? registered) ? registered : null);
        if (options.DistributedCache is { } store)
        {
            ILogger logger = options.LoggerFactory?.CreateLogger("ZeroAllocCache.ExactMatchCache") ?? NullLogger.Instance;
            _distributed = new DistributedLevel<TValue>(store, SerializerFor(_serializer), options, _timeProvider, logger, Name ?? UnnamedCache);
            _fillGuard = new DistributedFillGuard();
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

    /// <summary>The most bytes of values kept (<see cref="ExactMatchCacheOptions{TValue}.MaxBytes"/>); 0 for no budget.</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>The number of entries stored, every partition's included, expired entries not yet read included.</summary>
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

    /// <summary>A consistent snapshot of the counters and the size, every partition's included.</summary>
    /// <remarks>The distributed and backplane counters are read beside the memory ones, not under the same lock.</remarks>
    public CacheStats Stats
    {
        get
        {
            using (_lock.Enter())
            {
                return new CacheStats(AllHits, _misses, _pool.Count, _evictions, _expirations)
                {
                    Rejected = _rejected,
                    StoredBytes = _bytes,
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
        if (_hitsWithoutLock && TryHitWithoutLock(key, partitionId: 0, out value))
        {
            return true;
        }

        // Read the clock before the lock: it is the slowest part of a TTL check.
        bool clockRead = _readsClock;
        long now = clockRead ? _timeProvider.GetTimestamp() : 0;
        using (_lock.Enter())
        {
            return LookUpUnderLock(key, partition: null, now, clockRead, out value);
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <remarks>
    /// A new key in a full cache evicts the least recently used entry; with a byte budget, entries are evicted until
    /// the value fits, and a value larger than the whole budget is not stored (an older entry under the key is then
    /// removed). An existing key gets the new value, its age and hit count restart, and it becomes the most recently
    /// used. The entry's TTL is <see cref="ExactMatchCacheOptions{TValue}.TtlOf"/>'s choice, else the cache's.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The options' <c>SizeOf</c> or <c>TtlOf</c> returned a value out of range.</exception>
    public void Put(in CacheKey key, TValue value) => PutCore(key, partition: null, value, OwnTtlOf(value));

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> with a TTL of its own.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttl">
    /// How long this entry stays fresh, in place of the cache's TTL (longer or shorter): its age greater than
    /// <paramref name="ttl"/> is a miss, and the entry is removed when read. The distributed level keeps it as long.
    /// </param>
    /// <remarks><inheritdoc cref="Put(in CacheKey, TValue)" path="/remarks"/></remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative.</exception>
    public void Put(in CacheKey key, TValue value, TimeSpan ttl)
    {
        CheckTtl(ttl);
        PutCore(key, partition: null, value, ttl);
    }

    /// <summary>Removes the entry stored under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <returns><see langword="true"/> if an entry was stored under the key, expired or not.</returns>
    /// <remarks>
    /// A <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/> call in progress for the key ends too: its result is not stored, and the
    /// next caller starts a new call.
    /// </remarks>
    public bool Invalidate(in CacheKey key) => InvalidateCore(key, partition: null);

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
            int index = _index.Find(_pool.Entries, key, partition: 0);
            if (index == LruList.None)
            {
                info = default;
                return false;
            }

            ref CacheEntry<TValue> entry = ref _pool.Entries[index];
            TimeSpan age = _timeProvider.GetElapsedTime(entry.Timestamp, now);
            info = new CacheEntryInfo(entry.HitCount, age, age > TtlOf(entry));
            return true;
        }
    }

    /// <summary>Removes every entry from memory, every partition's included, and resets every counter.</summary>
    /// <remarks>
    /// Calls of <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/> in progress end too: their results are not stored. The distributed
    /// level is left as it is (it cannot be enumerated); <see cref="ClearAsync"/> hides its entries too.
    /// </remarks>
    public void Clear()
    {
        using (_lock.Enter())
        {
            EmptyUnderLock(resetPartitionCounters: true);
            _hits = 0;
            ResetLockFreeHits();
            _misses = 0;
            _evictions = 0;
            _expirations = 0;
            _rejected = 0;
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

    // When an entry created at the given time expires: by its own TTL, else the cache's.
    // No later than the calendar allows: a TTL of TimeSpan.MaxValue is valid, and means as long as it can.
    private DateTimeOffset? ExpiryOf(DateTimeOffset created, TimeSpan? ownTtl = null) =>
        (ownTtl ?? _ttl) is { } ttl ? new DateTimeOffset(ExpiryTicks(created, ttl.Ticks), TimeSpan.Zero) : null;

    // UTC ticks of an entry's expiry, no later than the calendar allows.
    private static long ExpiryTicks(DateTimeOffset created, long ttlTicks) =>
        Math.Min(created.UtcTicks + Math.Min(ttlTicks, DateTimeOffset.MaxValue.UtcTicks), DateTimeOffset.MaxValue.UtcTicks);

    // The TTL an entry lives by: its own, else the cache's.
    private static TimeSpan? TtlOf(in CacheEntry<TValue> entry) => entry.TtlTicks != 0 ? TimeSpan.FromTicks(entry.TtlTicks) : null;

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

    // TryGet of a partition's entries.
    private bool TryGetInPartition(in CacheKey key, PartitionState partition, [MaybeNullWhen(false)] out TValue value)
    {
        if (_hitsWithoutLock && TryHitWithoutLock(key, partition.Id, out value))
        {
            partition.Hits++; // racy, like the hit's own counts: a lost increment under contention costs less than a lock
            return true;
        }

        bool clockRead = _readsClock;
        long now = clockRead ? _timeProvider.GetTimestamp() : 0;
        using (_lock.Enter())
        {
            return LookUpUnderLock(key, partition, now, clockRead, out value);
        }
    }

    // The lookup of TryGet, of a partition's or the cache's own entries. Inlined (it has no try block, so it can be),
    // so that the cache's own lookups pay for no partition. Under the lock.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool LookUpUnderLock(in CacheKey key, PartitionState? partition, long now, bool clockRead, [MaybeNullWhen(false)] out TValue value)
    {
        int index = FindFresh(key, partition, now, clockRead);
        if (index != LruList.None)
        {
            CacheEntry<TValue>[] entries = _pool.Entries;
            ref CacheEntry<TValue> entry = ref entries[index];
            _hits++;
            if (entry.HitCount != int.MaxValue)
            {
                entry.HitCount++;
            }

            Touch(entries, index, partition);
            if (partition is not null)
            {
                partition.Hits++;
            }

            value = entry.Value;
            return true;
        }

        _misses++;
        if (partition is not null)
        {
            partition.Misses++;
        }

        value = default;
        return false;
    }

    // Put, of a partition's or the cache's own entries: memory at once, then the distributed level or the backplane.
    private void PutCore(in CacheKey key, PartitionState? partition, TValue value, TimeSpan? ownTtl)
    {
        long size = SizeOf(value);
        long now = _timeProvider.GetTimestamp();
        DateTimeOffset created = _timeProvider.GetUtcNow();
        using (_lock.Enter())
        {
            bool stored = StoreUnderLock(key, partition, value, now, size, ownTtl);
            if (_distributed is { } distributed)
            {
                // Queued in the same critical section as the memory change, so that the store sees the key's changes
                // in memory's order.
                if (stored)
                {
                    distributed.EnqueueSet(key, partition?.Name, value, created, ExpiryOf(created, ownTtl));
                }
                else
                {
                    distributed.EnqueueRemove(key, partition?.Name, created); // the older value there is stale now
                }

                return;
            }
        }

        _backplane?.Publish(new CacheBackplaneMessage(CacheBackplaneMessageKind.Changed, key, created, partition?.Name));
    }

    private bool InvalidateCore(in CacheKey key, PartitionState? partition)
    {
        DateTimeOffset at = _timeProvider.GetUtcNow();
        bool removed;
        using (_lock.Enter())
        {
            removed = InvalidateUnderLock(key, partition);
            _distributed?.EnqueueRemove(key, partition?.Name, at);
        }

        if (_distributed is null)
        {
            _backplane?.Publish(new CacheBackplaneMessage(CacheBackplaneMessageKind.Removed, key, at, partition?.Name));
        }

        return removed;
    }

    // The value's size by the cache's estimate, checked; 0 without one. Outside the lock.
    private long SizeOf(TValue value)
    {
        if (_sizeOf is null)
        {
            return 0;
        }

        long size = _sizeOf(value);
        return size >= 0
            ? size
            : throw new InvalidOperationException($"SizeOf returned {size} for a {typeof(TValue).Name}; a size is 0 or more. Nothing was stored.");
    }

    // The TTL the options choose for a value stored without one, checked; null for the cache's.
    private TimeSpan? OwnTtlOf(TValue value)
    {
        if (_ttlOf?.Invoke(value) is not { } ttl)
        {
            return null;
        }

        return ttl > TimeSpan.Zero
            ? ttl
            : throw new InvalidOperationException($"TtlOf returned {ttl} for a {typeof(TValue).Name}; a TTL is above zero, or null for the cache's. Nothing was stored.");
    }

    private static void CheckTtl(TimeSpan ttl, [CallerArgumentExpression(nameof(ttl))] string? name = null)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, ttl, "A TTL must be above zero.");
        }
    }
}
