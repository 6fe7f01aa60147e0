using System.Runtime.CompilerServices;

using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// The <c>ZeroAllocCache</c> meter, read with <see cref="MetricCollector{T}"/>. Each test registers under a name of
/// its own, since the meter is process-wide and tests run in parallel.
/// </summary>
public class MetricsTests
{
    [Fact]
    public void Hits_misses_and_entries_of_a_registered_cache_are_reported_under_its_name()
    {
        string name = UniqueName();
        ExactMatchCache<string> cache = new();
        using CacheMetricsRegistration registration = CacheMetrics.Register(cache, name);
        cache.Put("u", "s", "m", 0f, 1, "answer");
        cache.TryGet("u", "s", "m", 0f, 1, out _);
        cache.TryGet("u", "s", "m", 0f, 1, out _);
        cache.TryGet("other", "s", "m", 0f, 1, out _);

        Assert.Equal(2, Read(CacheMetrics.HitsInstrumentName, name));
        Assert.Equal(1, Read(CacheMetrics.MissesInstrumentName, name));
        Assert.Equal(1, Read(CacheMetrics.EntriesInstrumentName, name));
    }

    [Fact]
    public void Evictions_and_expirations_are_reported()
    {
        string name = UniqueName();
        FakeTimeProvider time = new();
        ExactMatchCache<string> cache = new(maxSize: 1, ttl: TimeSpan.FromMinutes(1), timeProvider: time);
        using CacheMetricsRegistration registration = CacheMetrics.Register(cache, name);
        cache.Put("a", "s", "m", 0f, 1, "1");
        cache.Put("b", "s", "m", 0f, 1, "2");
        time.Advance(TimeSpan.FromMinutes(2));
        cache.TryGet("b", "s", "m", 0f, 1, out _);

        Assert.Equal(1, Read(CacheMetrics.EvictionsInstrumentName, name));
        Assert.Equal(1, Read(CacheMetrics.ExpirationsInstrumentName, name));
        Assert.Equal(0, Read(CacheMetrics.EntriesInstrumentName, name));
    }

    [Fact]
    public void Stored_bytes_and_rejected_values_are_reported()
    {
        string name = UniqueName();
        ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxBytes = 100 });
        using CacheMetricsRegistration registration = CacheMetrics.Register(cache, name);
        cache.Put("a", "s", "m", 0f, 1, "1234");
        cache.Put("b", "s", "m", 0f, 1, new string('x', 200));

        Assert.Equal(CacheValueSizes.OfString("1234"), Read(CacheMetrics.StoredBytesInstrumentName, name));
        Assert.Equal(1, Read(CacheMetrics.RejectedInstrumentName, name));
    }

    [Fact]
    public async Task The_middleware_reports_model_calls_and_tokens_saved()
    {
        string name = UniqueName();
        ExactMatchCache<ChatResponse> cache = new();
        using CacheMetricsRegistration registration = CacheMetrics.Register(cache, name);
        using IChatClient client = new ChatClientBuilder(new FakeChatClient())
            .UseExactMatchCache(cache, c => c.MetricsName = name)
            .Build();
        Request request = Request.Typical();

        for (int i = 0; i < 4; i++)
        {
            await client.GetResponseAsync(request.Messages, request.Options);
        }

        Assert.Equal(3, Read(CacheMetrics.HitsInstrumentName, name));
        Assert.Equal(3, Read(CacheMetrics.ModelCallsSavedInstrumentName, name));
        Assert.Equal(3 * FakeChatClient.InputTokens, Read(CacheMetrics.TokensSavedInstrumentName, name, tokenType: "input"));
        Assert.Equal(3 * FakeChatClient.OutputTokens, Read(CacheMetrics.TokensSavedInstrumentName, name, tokenType: "output"));
    }

    [Fact]
    public async Task Requests_that_share_a_concurrent_call_count_as_saved()
    {
        FakeChatClient model = new();
        TaskCompletionSource<ChatResponse> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = (_, _) => answer.Task;
        using ExactMatchCachingChatClient client = new(model, new ExactMatchCache<ChatResponse>());

        Task<ChatResponse>[] callers = [.. Enumerable.Range(0, 3).Select(_ => client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options))];
        answer.SetResult(FakeChatClient.Answer(1));
        await Task.WhenAll(callers);

        Assert.Equal(1, model.Calls);
        Assert.Equal(2, client.Savings.Calls);
        Assert.Equal(2 * FakeChatClient.OutputTokens, client.Savings.OutputTokens);
    }

    [Fact]
    public async Task Streaming_replays_count_as_saved_and_the_live_stream_does_not()
    {
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();

        await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        Assert.Equal(0, client.Savings.Calls);
        await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();

        Assert.Equal(1, client.Savings.Calls);
        Assert.Equal(FakeChatClient.InputTokens, client.Savings.InputTokens);
    }

    [Fact]
    public void Registrations_under_one_name_are_added_up()
    {
        string name = UniqueName();
        ExactMatchCache<string> first = new();
        ExactMatchCache<string> second = new();
        using CacheMetricsRegistration a = CacheMetrics.Register(first, name);
        using CacheMetricsRegistration b = CacheMetrics.Register(second, name);
        first.Put("x", "s", "m", 0f, 1, "1");
        second.Put("x", "s", "m", 0f, 1, "1");
        second.Put("y", "s", "m", 0f, 1, "1");

        Assert.Equal(3, Read(CacheMetrics.EntriesInstrumentName, name));
    }

    [Fact]
    public void A_disposed_registration_is_no_longer_reported()
    {
        string name = UniqueName();
        ExactMatchCache<string> cache = new();
        CacheMetricsRegistration registration = CacheMetrics.Register(cache, name);
        cache.Put("x", "s", "m", 0f, 1, "1");
        Assert.Equal(1, Read(CacheMetrics.EntriesInstrumentName, name));

        registration.Dispose();
        registration.Dispose();

        Assert.True(registration.IsDisposed);
        Assert.Null(Read(CacheMetrics.EntriesInstrumentName, name));
    }

    [Fact]
    public async Task A_disposed_client_no_longer_reports_its_savings()
    {
        string name = UniqueName();
        ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>()) { MetricsName = name };
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);
        Assert.Equal(1, Read(CacheMetrics.ModelCallsSavedInstrumentName, name));

        client.Dispose();

        Assert.Null(Read(CacheMetrics.ModelCallsSavedInstrumentName, name));
    }

    [Fact]
    public void Renaming_a_client_moves_its_savings_to_the_new_name()
    {
        string before = UniqueName();
        string after = UniqueName();
        using ExactMatchCachingChatClient client = new(new FakeChatClient(), new ExactMatchCache<ChatResponse>()) { MetricsName = before };

        client.MetricsName = after;

        Assert.Null(Read(CacheMetrics.ModelCallsSavedInstrumentName, before));
        Assert.Equal(0, Read(CacheMetrics.ModelCallsSavedInstrumentName, after));
        Assert.Equal(after, client.MetricsName);
    }

    [Fact]
    public void A_collected_cache_is_no_longer_reported_even_if_never_unregistered()
    {
        string name = UniqueName();
        WeakReference registered = RegisterAndForget(name);

        for (int i = 0; i < 5 && registered.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(registered.IsAlive);
        Assert.Null(Read(CacheMetrics.EntriesInstrumentName, name));
    }

    [Fact]
    public void Registering_checks_its_arguments()
    {
        Assert.Equal("cache", Assert.Throws<ArgumentNullException>(() => CacheMetrics.Register<string>(null!, "x")).ParamName);
        Assert.Equal("savings", Assert.Throws<ArgumentNullException>(() => CacheMetrics.Register((ModelCallSavings)null!, "x")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => CacheMetrics.Register(new ExactMatchCache<string>(), null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => CacheMetrics.Register(new ModelCallSavings(), " ")).ParamName);
        Assert.Throws<ArgumentException>(() => new ExactMatchCachingChatClient(new FakeChatClient(), new ExactMatchCache<ChatResponse>()) { MetricsName = "" });
    }

    [Fact]
    public void Savings_reject_negative_token_counts()
    {
        ModelCallSavings savings = new();

        Assert.Throws<ArgumentOutOfRangeException>(() => savings.RecordSavedCall(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => savings.RecordSavedCall(0, -1));
        Assert.Equal(0, savings.Calls);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RegisterAndForget(string name)
    {
        ExactMatchCache<string> cache = new();
        cache.Put("x", "s", "m", 0f, 1, "1");
        _ = CacheMetrics.Register(cache, name);
        return new WeakReference(cache);
    }

    private static string UniqueName() => "test-" + Guid.NewGuid().ToString("N");

    // Collects the instrument once and returns the value measured for the cache name (and token type), or null.
    private static long? Read(string instrument, string cacheName, string? tokenType = null)
    {
        using MetricCollector<long> collector = new(meterScope: null, CacheMetrics.MeterName, instrument);
        collector.RecordObservableInstruments();
        CollectedMeasurement<long>[] matching =
        [
            .. collector.GetMeasurementSnapshot().Where(m =>
                Equals(m.Tags.GetValueOrDefault(CacheMetrics.CacheNameTag), cacheName)
                && (tokenType is null || Equals(m.Tags.GetValueOrDefault(CacheMetrics.TokenTypeTag), tokenType))),
        ];
        return matching.Length switch
        {
            0 => null,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Length} measurements for {cacheName}."),
        };
    }
}
