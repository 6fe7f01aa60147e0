using System.Diagnostics.CodeAnalysis;

namespace ZeroAllocCache;

/// <summary>
/// One partition of an <see cref="ExactMatchCache{TValue}"/>, such as a tenant's: the cache's operations, with the
/// same semantics, over entries that only this partition can see or evict. Get it from
/// <see cref="ExactMatchCache{TValue}.Partition(string)"/>.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <remarks>
/// A lookup for a key stored in another partition takes the miss path like any other miss. The cache's TTL, byte
/// budget, distributed level, backplane and snapshots all apply, with the partition's name part of the entry's
/// identity in each. Every member is safe to call from any number of threads.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The GetOrAddAsync and path overloads differ by a required parameter; each keeps the cancellation token last, as the framework's do.")]
public sealed class CachePartition<TValue>
{
    private readonly ExactMatchCache<TValue> _cache;

    internal CachePartition(ExactMatchCache<TValue> cache, PartitionState state)
    {
        _cache = cache;
        State = state;
    }

    /// <summary>The partition's name.</summary>
    public string Name => State.Name;

    /// <summary>The cache the partition belongs to.</summary>
    public ExactMatchCache<TValue> Cache => _cache;

    /// <summary>The number of entries the partition holds, expired entries not yet read included.</summary>
    public int Count => _cache.CountOf(State);

    /// <summary>
    /// A consistent snapshot of the partition's counters, its size and its stored bytes (the distributed and backplane
    /// counters are the cache's, in <see cref="ExactMatchCache{TValue}.Stats"/>).
    /// </summary>
    public CacheStats Stats => _cache.StatsOf(State);

    internal PartitionState State { get; }

    /// <summary>Looks up the value the partition stores under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The cached value when found; otherwise the default value.</param>
    /// <returns>
    /// <see langword="true"/> on a hit, which also makes the entry the most recently used, in the partition and in the
    /// cache. An entry older than its TTL is removed and the lookup is a miss.
    /// </returns>
    public bool TryGet(in CacheKey key, [MaybeNullWhen(false)] out TValue value) => _cache.TryGetIn(State, key, out value);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> in the partition.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <remarks>
    /// As <see cref="ExactMatchCache{TValue}.Put(in CacheKey, TValue)"/>; a partition at its quota evicts its own least
    /// recently used entries, never another partition's.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The options' <c>SizeOf</c> or <c>TtlOf</c> returned a value out of range.</exception>
    public void Put(in CacheKey key, TValue value) => _cache.PutIn(State, key, value);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> in the partition with a TTL of its own.</summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttl">How long this entry stays fresh, in place of the cache's TTL.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative.</exception>
    public void Put(in CacheKey key, TValue value, TimeSpan ttl) => _cache.PutIn(State, key, value, ttl);

    /// <summary>
    /// Looks up the partition's value under <paramref name="key"/> in memory, then in the distributed level, as
    /// <see cref="ExactMatchCache{TValue}.TryGetAsync"/> does for the cache's own entries.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="cancellationToken">Ends the wait for the distributed store.</param>
    /// <returns>Whether the value was found, and the value; a hit in memory completes synchronously.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<CacheLookup<TValue>> TryGetAsync(CacheKey key, CancellationToken cancellationToken = default) =>
        _cache.TryGetAsyncIn(State, key, cancellationToken);

    /// <summary>
    /// Stores <paramref name="value"/> in the partition in memory at once, then in the distributed level, as
    /// <see cref="ExactMatchCache{TValue}.PutAsync"/> does.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Ends the wait; the write itself still happens.</param>
    /// <returns>A task that completes when the distributed store has the entry (or failed to take it, or timed out).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task PutAsync(CacheKey key, TValue value, CancellationToken cancellationToken = default) =>
        _cache.PutAsyncCore(key, State, value, cancellationToken);

    /// <summary>
    /// Removes the partition's entry under <paramref name="key"/> from memory at once, then from the distributed level,
    /// as <see cref="ExactMatchCache{TValue}.InvalidateAsync"/> does.
    /// </summary>
    /// <param name="key">The request's key.</param>
    /// <param name="cancellationToken">Ends the wait; the removal itself still happens.</param>
    /// <returns>Whether the partition held an entry in memory under the key.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<bool> InvalidateAsync(CacheKey key, CancellationToken cancellationToken = default) =>
        _cache.InvalidateAsyncCore(key, State, cancellationToken);

    /// <summary>Removes the partition's entry under <paramref name="key"/>.</summary>
    /// <param name="key">The request's key.</param>
    /// <returns><see langword="true"/> if the partition held an entry under the key, expired or not.</returns>
    public bool Invalidate(in CacheKey key) => _cache.InvalidateIn(State, key);

    /// <summary>
    /// Returns the value the partition stores under <paramref name="key"/>, or computes it with
    /// <paramref name="factory"/> once, however many callers miss on the same key in the partition at the same time.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory.</typeparam>
    /// <param name="key">The request's key.</param>
    /// <param name="state">Passed to <paramref name="factory"/> unchanged.</param>
    /// <param name="factory">Computes the value on a miss.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The cached or computed value. A hit completes synchronously and allocates nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The factory computing the key asked for the same key in the partition.</exception>
    /// <remarks>The semantics of <see cref="ExactMatchCache{TValue}.GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>; another partition's calls are never joined.</remarks>
    public ValueTask<TValue> GetOrAddAsync<TState>(
        CacheKey key,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        CancellationToken cancellationToken = default) =>
        _cache.GetOrAddIn(State, key, state, factory, ttl: null, cancellationToken);

    /// <summary>
    /// <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>,
    /// storing a computed value with a TTL of its own.
    /// </summary>
    /// <typeparam name="TState">The state passed to the factory.</typeparam>
    /// <param name="key">The request's key.</param>
    /// <param name="state">Passed to <paramref name="factory"/> unchanged.</param>
    /// <param name="factory">Computes the value on a miss.</param>
    /// <param name="ttl">How long a value this call computes stays fresh, in place of the cache's TTL.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The cached or computed value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative.</exception>
    public ValueTask<TValue> GetOrAddAsync<TState>(
        CacheKey key,
        TState state,
        Func<TState, CancellationToken, ValueTask<TValue>> factory,
        TimeSpan ttl,
        CancellationToken cancellationToken = default) =>
        _cache.GetOrAddIn(State, key, state, factory, ttl, cancellationToken);

    /// <summary>Removes the partition's entries from memory and resets its counters; other partitions keep theirs.</summary>
    /// <remarks>Calls of <see cref="GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/> in progress in the partition end too: their results are not stored.</remarks>
    public void Clear() => _cache.ClearPartition(State);

    /// <summary>Describes the partition: its name, size and hit rate.</summary>
    /// <returns>For example <c>CachePartition(name=tenant-1, size=3, hit_rate=66.7%)</c>.</returns>
    public override string ToString()
    {
        CacheStats stats = Stats;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"CachePartition(name={Name}, size={stats.Size}, hit_rate={stats.HitRate * 100:0.0}%)");
    }
}
