using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace ZeroAllocCache;

/// <summary>
/// How an <see cref="ExactMatchCache{TValue}"/> is built: its size bound, TTL, clock and name, and its distributed
/// second level. Pass it to
/// <see cref="ExactMatchCache{TValue}(ExactMatchCacheOptions{TValue})"/>, or configure it through
/// <c>services.AddExactMatchCache&lt;TValue&gt;(options =&gt; ...)</c>, which also binds it from configuration.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <remarks>
/// The cache reads the options once, when it is built, and keeps its own copy of every value: changing the object
/// afterwards does not change the cache. Every value is checked then: a value out of range throws an
/// <see cref="ArgumentOutOfRangeException"/> naming the option (through dependency injection, an
/// <c>OptionsValidationException</c> listing them all).
/// </remarks>
public sealed class ExactMatchCacheOptions<TValue>
{
    /// <summary>The <see cref="MaxSize"/> of options that set none: 1,024 entries.</summary>
    public const int DefaultMaxSize = 1024;

    /// <summary>
    /// The most entries kept; the least recently used is evicted to make room. 0 means unbounded: the pool starts
    /// small and doubles as needed. A bounded pool is allocated whole, up front. From 0 to
    /// <see cref="ExactMatchCache{TValue}.MaxSupportedSize"/>; <see cref="DefaultMaxSize"/> by default.
    /// </summary>
    public int MaxSize { get; set; } = DefaultMaxSize;

    /// <summary>
    /// How long an entry stays fresh after it was stored; <see langword="null"/> (the default) for no expiry. An
    /// entry whose age is greater than the TTL is a miss and is removed when read; an age equal to the TTL is still
    /// fresh. Above zero when set. In configuration, a <see cref="TimeSpan"/> such as <c>"01:00:00"</c>.
    /// </summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>
    /// The clock for TTL and entry ages; <see langword="null"/> for the <see cref="TimeProvider"/> registered in the
    /// service container when the cache is built through it, else <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// The cache's name, or <see langword="null"/> for none. A named cache reports its counters through the
    /// <see cref="CacheMetrics"/> meter under this name (the <see cref="CacheMetrics.CacheNameTag"/> tag) until it is
    /// disposed, so do not also register it with <see cref="CacheMetrics.Register{T}(ExactMatchCache{T}, string)"/>.
    /// Through dependency injection it defaults to the service key, or <c>"default"</c>. Not empty or white space
    /// when set.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The most bytes of values kept, as <see cref="SizeOf"/> estimates them; the least recently used entries are
    /// evicted until the stored bytes fit. 0 (the default) for no budget. <see cref="MaxSize"/> holds as well: after
    /// every store, both bounds hold. A value larger than the whole budget is not stored
    /// (<see cref="CacheStats.Rejected"/> counts it). Needs a <see cref="SizeOf"/> for <typeparamref name="TValue"/>.
    /// </summary>
    public long MaxBytes { get; set; }

    /// <summary>
    /// Estimates a value's size in bytes, for <see cref="MaxBytes"/>, <see cref="MaxBytesPerPartition"/> and
    /// <see cref="CacheStats.StoredBytes"/>; <see langword="null"/> for the built-in estimate of
    /// <typeparamref name="TValue"/> (<see cref="CacheValueSizes"/>: <see cref="string"/>, <see cref="byte"/> arrays,
    /// and <c>ChatResponse</c> once ZeroAllocCache.Extensions.AI is loaded). Called once per store, outside the
    /// cache's lock; it must return 0 or more.
    /// </summary>
    public Func<TValue, long>? SizeOf { get; set; }

    /// <summary>
    /// The most entries one partition (<see cref="ExactMatchCache{TValue}.Partition(string)"/>) keeps; a partition at
    /// its quota evicts its own least recently used entry, never another's. 0 (the default) for no quota.
    /// </summary>
    public int MaxSizePerPartition { get; set; }

    /// <summary>
    /// The most bytes of values one partition keeps, as <see cref="SizeOf"/> estimates them; a partition over it
    /// evicts its own least recently used entries. 0 (the default) for no quota. A value larger than the quota is not
    /// stored in a partition.
    /// </summary>
    public long MaxBytesPerPartition { get; set; }

    /// <summary>
    /// Chooses a value's own TTL when it is stored without one (by <c>Put</c> or <c>GetOrAddAsync</c>);
    /// <see langword="null"/> from it, or no delegate (the default), means the cache's <see cref="Ttl"/>. It must
    /// return a TTL above zero, or <see langword="null"/>.
    /// </summary>
    public Func<TValue, TimeSpan?>? TtlOf { get; set; }

    /// <summary>
    /// How a full cache (or a partition at its quota) chooses the entry to evict: <see cref="CacheEvictionPolicy.Lru"/>
    /// (the default), <see cref="CacheEvictionPolicy.Sieve"/> or <see cref="CacheEvictionPolicy.S3Fifo"/>, which keep
    /// more of the entries asked again when most requests are one-off and serve hits without the lock, or
    /// <see cref="CacheEvictionPolicy.WTinyLfu"/>, which keeps the most asked when popularity changes slowly. The API,
    /// TTLs, partitions, budgets, levels and snapshots behave the same under each.
    /// </summary>
    public CacheEvictionPolicy EvictionPolicy { get; set; }

    /// <summary>The <see cref="DistributedKeyPrefix"/> of options that set none: <c>"zac:"</c>.</summary>
    public const string DefaultDistributedKeyPrefix = "zac:";

    /// <summary>The <see cref="DistributedTimeout"/> of options that set none: 250 milliseconds.</summary>
    public static readonly TimeSpan DefaultDistributedTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>The <see cref="DistributedRetryAfter"/> of options that set none: 10 seconds.</summary>
    public static readonly TimeSpan DefaultDistributedRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>The <see cref="DistributedClearCheckInterval"/> of options that set none: 1 second.</summary>
    public static readonly TimeSpan DefaultDistributedClearCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>The <see cref="DistributedLockTimeout"/> of options that set none: 30 seconds, a long model call.</summary>
    public static readonly TimeSpan DefaultDistributedLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The <see cref="DistributedWriteQueueSize"/> of options that set none: 1,024 writes.</summary>
    public const int DefaultDistributedWriteQueueSize = 1024;

    /// <summary>
    /// The distributed store of the second level, shared by every replica; <see langword="null"/> (the default) for a
    /// cache in memory only. When the store also implements <see cref="IBufferDistributedCache"/> (as
    /// <c>RedisCache</c> does), its buffer methods are used and a read allocates no intermediate array. Through
    /// dependency injection, an <see cref="IDistributedCache"/> registered in the container is used when this is
    /// <see langword="null"/>, unless it is a <c>MemoryDistributedCache</c> or <see cref="UseDistributedCache"/> is
    /// <see langword="false"/>.
    /// </summary>
    public IDistributedCache? DistributedCache { get; set; }

    /// <summary>
    /// Whether a cache built through dependency injection takes the container's <see cref="IDistributedCache"/> as its
    /// second level when <see cref="DistributedCache"/> is not set; <see langword="true"/> by default.
    /// </summary>
    public bool UseDistributedCache { get; set; } = true;

    /// <summary>
    /// Turns values into bytes for the distributed level (and snapshots); <see langword="null"/> for the default of
    /// <typeparamref name="TValue"/>: built in for <see cref="string"/> and <see cref="byte"/> arrays, registered with
    /// <see cref="CacheSerializers"/> (or in the container) for others. Use <see cref="JsonCacheSerializer{T}"/> for
    /// JSON through a source-generated contract.
    /// </summary>
    public IHybridCacheSerializer<TValue>? Serializer { get; set; }

    /// <summary>
    /// The prefix of every key this cache writes to the distributed store, to keep caches that share one store apart;
    /// <see cref="DefaultDistributedKeyPrefix"/> by default. The request's digest follows it as 43 base64url characters.
    /// </summary>
    public string DistributedKeyPrefix { get; set; } = DefaultDistributedKeyPrefix;

    /// <summary>
    /// The longest a request waits for the distributed store; a call that takes longer counts as a miss (or a skipped
    /// write). Above zero; <see cref="DefaultDistributedTimeout"/> by default.
    /// </summary>
    public TimeSpan DistributedTimeout { get; set; } = DefaultDistributedTimeout;

    /// <summary>
    /// How long the distributed store is skipped after a call failed or timed out, before it is tried again. Zero or
    /// more; <see cref="DefaultDistributedRetryAfter"/> by default.
    /// </summary>
    public TimeSpan DistributedRetryAfter { get; set; } = DefaultDistributedRetryAfter;

    /// <summary>
    /// How many background writes to the distributed store may wait; when the queue is full the oldest is dropped and
    /// counted (<see cref="CacheStats.DistributedWritesDropped"/>), and no caller ever waits for room. At least 1;
    /// <see cref="DefaultDistributedWriteQueueSize"/> by default.
    /// </summary>
    public int DistributedWriteQueueSize { get; set; } = DefaultDistributedWriteQueueSize;

    /// <summary>
    /// How long a read of the distributed level trusts the time of the last <c>ClearAsync</c> it read from the store
    /// before reading it again with the next entry: <see cref="TimeSpan.Zero"/> reads it with every entry (one more
    /// request to the store per read), so another replica's clear is seen at once. A clear made by this cache is seen
    /// at once whatever the interval, and with a backplane every replica's is. Zero or more;
    /// <see cref="DefaultDistributedClearCheckInterval"/> by default.
    /// </summary>
    public TimeSpan DistributedClearCheckInterval { get; set; } = DefaultDistributedClearCheckInterval;

    /// <summary>
    /// How the replicas of this cache tell each other what changed, so that an entry replaced, invalidated or cleared
    /// on one leaves every other's memory too; <see langword="null"/> (the default) for none. With a distributed level
    /// as well, a key that misses everywhere is computed by one replica at a time: the others wait for its value (see
    /// <see cref="DistributedLockTimeout"/>). <c>RedisCacheBackplane</c> (ZeroAllocCache.Redis) is one. Replicas
    /// recognise each other by <see cref="Name"/>.
    /// </summary>
    public ICacheBackplane? Backplane { get; set; }

    /// <summary>
    /// How long a replica waits for another that holds the lock of a key to store its value, before calling the
    /// factory itself; also how long a lock holds when its holder dies. Above zero;
    /// <see cref="DefaultDistributedLockTimeout"/> by default.
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = DefaultDistributedLockTimeout;

    /// <summary>The <see cref="SnapshotInterval"/> of options that set none: 5 minutes.</summary>
    public static readonly TimeSpan DefaultSnapshotInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The snapshot file of a cache registered through dependency injection; <see langword="null"/> (the default) for
    /// none. When the host starts, the cache loads it (a missing file is an empty cache; a damaged one is logged and
    /// left for the next save to replace); the cache then saves it every <see cref="SnapshotInterval"/> when
    /// something changed, and when the host stops. A relative path is the host's content root's; a missing folder is
    /// created. A cache built with <c>new</c> ignores it:
    /// call <see cref="ExactMatchCache{TValue}.SaveSnapshotAsync(string, CancellationToken)"/> and
    /// <see cref="ExactMatchCache{TValue}.LoadSnapshotAsync(string, CancellationToken)"/> yourself.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// How often a cache with a <see cref="SnapshotPath"/> saves it, when an entry was stored, removed or hit since the
    /// last save; <see cref="Timeout.InfiniteTimeSpan"/> to save only when the host stops. Above zero and at most a
    /// day; <see cref="DefaultSnapshotInterval"/> by default.
    /// </summary>
    public TimeSpan SnapshotInterval { get; set; } = DefaultSnapshotInterval;

    /// <summary>
    /// Where the cache logs (the distributed store failing and recovering, invalid entries); <see langword="null"/>
    /// for the container's <see cref="ILoggerFactory"/> when built through dependency injection, else no logging.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Checks every option and returns what is wrong with each that is out of range, or nothing; the cache's
    /// constructor throws for the first, and dependency injection reports them all in an
    /// <c>OptionsValidationException</c>.
    /// </summary>
    /// <returns>One entry per invalid option: its name and what is wrong with it.</returns>
    internal IReadOnlyList<(string Option, string Problem)> Validate()
    {
        List<(string, string)> problems = [];
        if (MaxSize is < 0 or > ExactMatchCache<TValue>.MaxSupportedSize)
        {
            problems.Add((nameof(MaxSize), $"MaxSize must be from 0 (unbounded) to {ExactMatchCache<TValue>.MaxSupportedSize}; it is {MaxSize}."));
        }

        if (Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            problems.Add((nameof(Ttl), $"Ttl must be above zero, or null for no expiry; it is {ttl}."));
        }

        if (!Enum.IsDefined(EvictionPolicy))
        {
            problems.Add((nameof(EvictionPolicy), $"EvictionPolicy must be Lru, Sieve, S3Fifo or WTinyLfu; it is {(int)EvictionPolicy}."));
        }

        if (MaxBytes < 0)
        {
            problems.Add((nameof(MaxBytes), $"MaxBytes must be 0 (no budget) or more; it is {MaxBytes}."));
        }

        if (MaxSizePerPartition is < 0 or > ExactMatchCache<TValue>.MaxSupportedSize)
        {
            problems.Add((nameof(MaxSizePerPartition), $"MaxSizePerPartition must be from 0 (no quota) to {ExactMatchCache<TValue>.MaxSupportedSize}; it is {MaxSizePerPartition}."));
        }

        if (MaxBytesPerPartition < 0)
        {
            problems.Add((nameof(MaxBytesPerPartition), $"MaxBytesPerPartition must be 0 (no quota) or more; it is {MaxBytesPerPartition}."));
        }

        if ((MaxBytes > 0 || MaxBytesPerPartition > 0) && SizeOf is null && !CacheValueSizes.TryGet(out Func<TValue, long>? _))
        {
            problems.Add((nameof(SizeOf), $"A byte budget needs the size of a {typeof(TValue).FullName}: set SizeOf, or register one with CacheValueSizes.Register."));
        }

        if (DistributedKeyPrefix is null)
        {
            problems.Add((nameof(DistributedKeyPrefix), "DistributedKeyPrefix must not be null; use \"\" for no prefix."));
        }

        if (DistributedTimeout <= TimeSpan.Zero || DistributedTimeout > TimeSpan.FromDays(1))
        {
            problems.Add((nameof(DistributedTimeout), $"DistributedTimeout must be above zero and at most a day; it is {DistributedTimeout}."));
        }

        if (DistributedRetryAfter < TimeSpan.Zero || DistributedRetryAfter > TimeSpan.FromDays(1))
        {
            problems.Add((nameof(DistributedRetryAfter), $"DistributedRetryAfter must be from zero to a day; it is {DistributedRetryAfter}."));
        }

        if (DistributedClearCheckInterval < TimeSpan.Zero)
        {
            problems.Add((nameof(DistributedClearCheckInterval), $"DistributedClearCheckInterval must be zero or more; it is {DistributedClearCheckInterval}."));
        }

        if (DistributedLockTimeout <= TimeSpan.Zero || DistributedLockTimeout > TimeSpan.FromDays(1))
        {
            problems.Add((nameof(DistributedLockTimeout), $"DistributedLockTimeout must be above zero and at most a day; it is {DistributedLockTimeout}."));
        }

        if (DistributedWriteQueueSize < 1)
        {
            problems.Add((nameof(DistributedWriteQueueSize), $"DistributedWriteQueueSize must be at least 1; it is {DistributedWriteQueueSize}."));
        }

        if (SnapshotPath is not null && string.IsNullOrWhiteSpace(SnapshotPath))
        {
            problems.Add((nameof(SnapshotPath), "SnapshotPath must not be empty or white space; leave it null for no snapshot."));
        }

        if ((SnapshotInterval <= TimeSpan.Zero || SnapshotInterval > TimeSpan.FromDays(1)) && SnapshotInterval != Timeout.InfiniteTimeSpan)
        {
            problems.Add((nameof(SnapshotInterval), $"SnapshotInterval must be above zero and at most a day, or Timeout.InfiniteTimeSpan to save only at shutdown; it is {SnapshotInterval}."));
        }

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            problems.Add((nameof(Name), "Name must not be empty or white space; leave it null for an unnamed cache."));
        }

        return problems;
    }

    /// <summary>A copy of these options, for a cache that must not see later changes.</summary>
    internal ExactMatchCacheOptions<TValue> Clone() => (ExactMatchCacheOptions<TValue>)MemberwiseClone();
}
