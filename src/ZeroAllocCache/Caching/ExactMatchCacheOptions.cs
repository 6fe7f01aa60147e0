namespace ZeroAllocCache;

/// <summary>
/// How an <see cref="ExactMatchCache{TValue}"/> is built: its size bound, TTL, clock and name. Pass it to
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

        if (Name is not null && string.IsNullOrWhiteSpace(Name))
        {
            problems.Add((nameof(Name), "Name must not be empty or white space; leave it null for an unnamed cache."));
        }

        return problems;
    }

    /// <summary>A copy of these options, for a cache that must not see later changes.</summary>
    internal ExactMatchCacheOptions<TValue> Clone() => (ExactMatchCacheOptions<TValue>)MemberwiseClone();
}
