using System.Diagnostics.Metrics;

namespace ZeroAllocCache;

/// <summary>
/// Publishes cache metrics through a <see cref="Meter"/> named <see cref="MeterName"/>, for OpenTelemetry
/// (<c>AddMeter("ZeroAllocCache")</c>), <c>dotnet-counters</c> or any <see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every instrument is observable: it reads the counters that caches and <see cref="ModelCallSavings"/> keep anyway,
/// when a listener collects. A cache lookup does no metrics work at all, so the hit path costs and allocates the
/// same whether anything listens or not.
/// </para>
/// <para>
/// Register each cache once under a name of your choice, and dispose the registration to stop reporting it:
/// </para>
/// <code>
/// var cache = new ExactMatchCache&lt;ChatResponse&gt;(maxSize: 10_000);
/// using CacheMetricsRegistration metrics = CacheMetrics.Register(cache, "chat");
/// </code>
/// <para>
/// Every measurement carries the tag <see cref="CacheNameTag"/> with that name. Registrations that share a name are
/// reported as one: their values are added up (for example, one cache per tenant under one name, or the savings of
/// every client built over one cache). <see cref="ExactMatchCache{TValue}.Clear"/> resets a cache's counters, so a
/// cleared cache's counters restart from 0.
/// </para>
/// <para>Registration uses no reflection and no dynamic code: it is trimming- and Native AOT-safe.</para>
/// </remarks>
public static class CacheMetrics
{
    /// <summary>The name of the meter: <c>ZeroAllocCache</c>.</summary>
    public const string MeterName = "ZeroAllocCache";

    /// <summary>The tag that carries the name a cache was registered under: <c>cache.name</c>.</summary>
    public const string CacheNameTag = "cache.name";

    /// <summary>
    /// The tag of <see cref="TokensSavedInstrumentName"/> that tells input from output tokens:
    /// <c>gen_ai.token.type</c>, valued <c>input</c> or <c>output</c> as in the OpenTelemetry GenAI conventions.
    /// </summary>
    public const string TokenTypeTag = "gen_ai.token.type";

    /// <summary>Lookups answered from the cache (observable counter, <c>{hit}</c>).</summary>
    public const string HitsInstrumentName = "zeroalloccache.hits";

    /// <summary>Lookups that found no fresh entry (observable counter, <c>{miss}</c>).</summary>
    public const string MissesInstrumentName = "zeroalloccache.misses";

    /// <summary>Entries removed to make room for new ones (observable counter, <c>{entry}</c>).</summary>
    public const string EvictionsInstrumentName = "zeroalloccache.evictions";

    /// <summary>Entries removed because they outlived the TTL (observable counter, <c>{entry}</c>).</summary>
    public const string ExpirationsInstrumentName = "zeroalloccache.expirations";

    /// <summary>Reads of the distributed level that found a fresh entry (observable counter, <c>{hit}</c>).</summary>
    public const string DistributedHitsInstrumentName = "zeroalloccache.distributed.hits";

    /// <summary>Reads of the distributed level that found nothing usable (observable counter, <c>{miss}</c>).</summary>
    public const string DistributedMissesInstrumentName = "zeroalloccache.distributed.misses";

    /// <summary>Calls to the distributed store that failed or timed out (observable counter, <c>{error}</c>).</summary>
    public const string DistributedErrorsInstrumentName = "zeroalloccache.distributed.errors";

    /// <summary>Entries currently stored (observable up-down counter, <c>{entry}</c>).</summary>
    public const string EntriesInstrumentName = "zeroalloccache.entries";

    /// <summary>Bytes of the values currently stored, by the cache's size estimate (observable up-down counter, <c>By</c>).</summary>
    public const string StoredBytesInstrumentName = "zeroalloccache.stored_bytes";

    /// <summary>Values not stored because they exceed the byte budget or their partition's (observable counter, <c>{entry}</c>).</summary>
    public const string RejectedInstrumentName = "zeroalloccache.rejected";

    /// <summary>Requests answered without calling the model (observable counter, <c>{call}</c>).</summary>
    public const string ModelCallsSavedInstrumentName = "zeroalloccache.model_calls.saved";

    /// <summary>
    /// Tokens that requests answered without calling the model would have used (observable counter, <c>{token}</c>),
    /// tagged with <see cref="TokenTypeTag"/>.
    /// </summary>
    public const string TokensSavedInstrumentName = "zeroalloccache.tokens.saved";

    private static readonly Lock s_lock = new();

    // Copy-on-write: writers replace the array under the lock, collection reads whichever array is current.
    private static CacheMetricsRegistration[] s_registrations = [];

    private static readonly Meter s_meter = CreateMeter();

    /// <summary>Reports the counters of <paramref name="cache"/> under <paramref name="name"/>.</summary>
    /// <typeparam name="TValue">The cached value type.</typeparam>
    /// <param name="cache">The cache. It is held weakly: registering never keeps it alive.</param>
    /// <param name="name">The value of the <see cref="CacheNameTag"/> tag, for example <c>"chat"</c>.</param>
    /// <returns>The registration; dispose it to stop reporting.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static CacheMetricsRegistration Register<TValue>(ExactMatchCache<TValue> cache, string name)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Add(new CacheMetricsRegistration(name, new CacheMetricSource<TValue>(cache)));
    }

    /// <summary>
    /// Reports <paramref name="savings"/> (model calls and tokens saved) under <paramref name="name"/>; use the name
    /// of the cache that produced them.
    /// </summary>
    /// <param name="savings">The counters. They are held weakly: registering never keeps them alive.</param>
    /// <param name="name">The value of the <see cref="CacheNameTag"/> tag.</param>
    /// <returns>The registration; dispose it to stop reporting.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="savings"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static CacheMetricsRegistration Register(ModelCallSavings savings, string name)
    {
        ArgumentNullException.ThrowIfNull(savings);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Add(new CacheMetricsRegistration(name, new SavingsMetricSource(savings)));
    }

    internal static void Unregister(CacheMetricsRegistration registration)
    {
        lock (s_lock)
        {
            CacheMetricsRegistration[] current = s_registrations;
            int index = Array.IndexOf(current, registration);
            if (index >= 0)
            {
                s_registrations = [.. current.AsSpan(0, index), .. current.AsSpan(index + 1)];
            }
        }
    }

    private static CacheMetricsRegistration Add(CacheMetricsRegistration registration)
    {
        // Touch the meter so that its instruments exist before the first registration is reported.
        _ = s_meter;
        lock (s_lock)
        {
            // Drop registrations whose cache or savings were collected, so that forgotten ones do not pile up.
            List<CacheMetricsRegistration> live = new(s_registrations.Length + 1);
            foreach (CacheMetricsRegistration existing in s_registrations)
            {
                if (existing.Source.IsAlive)
                {
                    live.Add(existing);
                }
            }

            live.Add(registration);
            s_registrations = [.. live];
        }

        return registration;
    }

    private static Meter CreateMeter()
    {
        Meter meter = new(MeterName);
        meter.CreateObservableCounter(HitsInstrumentName, static () => ObserveCaches(static s => s.Hits), "{hit}",
            "Lookups answered from the cache.");
        meter.CreateObservableCounter(MissesInstrumentName, static () => ObserveCaches(static s => s.Misses), "{miss}",
            "Lookups that found no fresh entry.");
        meter.CreateObservableCounter(EvictionsInstrumentName, static () => ObserveCaches(static s => s.Evictions), "{entry}",
            "Entries removed to make room for new ones.");
        meter.CreateObservableCounter(ExpirationsInstrumentName, static () => ObserveCaches(static s => s.Expirations), "{entry}",
            "Entries removed because they outlived the TTL.");
        meter.CreateObservableCounter(DistributedHitsInstrumentName, static () => ObserveCaches(static s => s.DistributedHits), "{hit}",
            "Reads of the distributed level that found a fresh entry.");
        meter.CreateObservableCounter(DistributedMissesInstrumentName, static () => ObserveCaches(static s => s.DistributedMisses), "{miss}",
            "Reads of the distributed level that found nothing usable.");
        meter.CreateObservableCounter(DistributedErrorsInstrumentName, static () => ObserveCaches(static s => s.DistributedErrors), "{error}",
            "Calls to the distributed store that failed or timed out.");
        meter.CreateObservableUpDownCounter(EntriesInstrumentName, static () => ObserveCaches(static s => s.Size), "{entry}",
            "Entries currently stored.");
        meter.CreateObservableUpDownCounter(StoredBytesInstrumentName, static () => ObserveCaches(static s => s.StoredBytes), "By",
            "Bytes of the values currently stored, by the cache's size estimate.");
        meter.CreateObservableCounter(RejectedInstrumentName, static () => ObserveCaches(static s => s.Rejected), "{entry}",
            "Values not stored because they exceed the byte budget.");
        meter.CreateObservableCounter(ModelCallsSavedInstrumentName, static () => ObserveModelCalls(), "{call}",
            "Requests answered without calling the model.");
        meter.CreateObservableCounter(TokensSavedInstrumentName, static () => ObserveTokens(), "{token}",
            "Tokens that requests answered without calling the model would have used.");
        return meter;
    }

    // Collection runs on the listener's schedule, never on a lookup; what it allocates is the listener's cost.
    private static List<Measurement<long>> ObserveCaches(Func<CacheStats, long> select)
    {
        Totals totals = new();
        foreach (CacheMetricsRegistration registration in Volatile.Read(ref s_registrations))
        {
            if (!registration.IsDisposed && registration.Source.TryReadStats(out CacheStats stats))
            {
                totals.Add(registration.Name, select(stats));
            }
        }

        return totals.ToMeasurements(tokenType: null);
    }

    private static List<Measurement<long>> ObserveModelCalls()
    {
        Totals totals = new();
        foreach (CacheMetricsRegistration registration in Volatile.Read(ref s_registrations))
        {
            if (!registration.IsDisposed && registration.Source.TryGetSavings() is { } savings)
            {
                totals.Add(registration.Name, savings.Calls);
            }
        }

        return totals.ToMeasurements(tokenType: null);
    }

    private static List<Measurement<long>> ObserveTokens()
    {
        Totals input = new();
        Totals output = new();
        foreach (CacheMetricsRegistration registration in Volatile.Read(ref s_registrations))
        {
            if (!registration.IsDisposed && registration.Source.TryGetSavings() is { } savings)
            {
                input.Add(registration.Name, savings.InputTokens);
                output.Add(registration.Name, savings.OutputTokens);
            }
        }

        List<Measurement<long>> measurements = input.ToMeasurements("input");
        measurements.AddRange(output.ToMeasurements("output"));
        return measurements;
    }

    /// <summary>Sums values by registration name, in the order names were first seen.</summary>
    private sealed class Totals
    {
        private readonly List<string> _names = [];
        private readonly List<long> _values = [];

        public void Add(string name, long value)
        {
            int index = _names.IndexOf(name);
            if (index < 0)
            {
                _names.Add(name);
                _values.Add(value);
            }
            else
            {
                _values[index] += value;
            }
        }

        public List<Measurement<long>> ToMeasurements(string? tokenType)
        {
            List<Measurement<long>> measurements = new(_names.Count);
            for (int i = 0; i < _names.Count; i++)
            {
                KeyValuePair<string, object?>[] tags = tokenType is null
                    ? [new(CacheNameTag, _names[i])]
                    : [new(CacheNameTag, _names[i]), new(TokenTypeTag, tokenType)];
                measurements.Add(new Measurement<long>(_values[i], tags));
            }

            return measurements;
        }
    }
}
