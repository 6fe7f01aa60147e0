using System.Text.Json;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>Per-request <c>no-cache</c> and <c>no-store</c>, set in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
public class CacheControlTests
{
    private const string NoCache = ExactMatchCachingChatClient.NoCachePropertyName;
    private const string NoStore = ExactMatchCachingChatClient.NoStorePropertyName;

    [Fact]
    public async Task No_cache_skips_the_read_and_refreshes_the_stored_response()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request plain = Request.Typical();
        Request noCache = With(NoCache);

        ChatResponse first = await client.GetResponseAsync(plain.Messages, plain.Options);
        ChatResponse refreshed = await client.GetResponseAsync(noCache.Messages, noCache.Options);
        ChatResponse afterwards = await client.GetResponseAsync(plain.Messages, plain.Options);

        Assert.Equal("answer 1", first.Text);
        Assert.Equal("answer 2", refreshed.Text);
        Assert.Equal("answer 2", afterwards.Text);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task No_store_answers_a_hit_from_the_cache()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request plain = Request.Typical();
        Request noStore = With(NoStore);

        await client.GetResponseAsync(plain.Messages, plain.Options);
        ChatResponse answer = await client.GetResponseAsync(noStore.Messages, noStore.Options);

        Assert.Equal("answer 1", answer.Text);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task No_store_calls_the_model_on_a_miss_and_keeps_nothing()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request noStore = With(NoStore);

        await client.GetResponseAsync(noStore.Messages, noStore.Options);
        await client.GetResponseAsync(noStore.Messages, noStore.Options);

        Assert.Equal(2, model.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task No_cache_with_no_store_passes_straight_through()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request plain = Request.Typical();
        Request both = With(NoCache, NoStore);

        await client.GetResponseAsync(plain.Messages, plain.Options);
        ChatResponse answer = await client.GetResponseAsync(both.Messages, both.Options);
        ChatResponse stored = await client.GetResponseAsync(plain.Messages, plain.Options);

        Assert.Equal("answer 2", answer.Text);
        Assert.Equal("answer 1", stored.Text);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task The_directives_never_reach_the_model_and_the_callers_options_are_untouched()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new()
        {
            ["service_tier"] = "flex",
            [NoCache] = true,
            [NoStore] = false,
        });

        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();

        Assert.All(model.ReceivedOptions, options =>
        {
            Assert.Equal(["service_tier"], options!.AdditionalProperties!.Keys);
            Assert.Equal("gpt-4o-mini", options.ModelId);
        });
        Assert.Equal(3, request.Options!.AdditionalProperties!.Count);
    }

    [Fact]
    public async Task Directives_alone_leave_the_model_no_property_bag()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = With(NoStore);

        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Null(Assert.Single(model.ReceivedOptions)!.AdditionalProperties);
    }

    [Fact]
    public async Task False_turns_a_directive_off()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request off = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [NoCache] = false, [NoStore] = false });

        await client.GetResponseAsync(off.Messages, off.Options);
        await client.GetResponseAsync(off.Messages, off.Options);

        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task A_JSON_true_sets_a_directive()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new()
        {
            [NoStore] = JsonDocument.Parse("true").RootElement,
        });

        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_directive_that_is_not_a_Boolean_is_rejected()
    {
        using IChatClient client = new ExactMatchCachingChatClient(new FakeChatClient(), new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [NoCache] = "yes" });

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(request.Messages, request.Options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains(NoCache, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_no_cache_streams_from_the_model_and_refreshes_the_entry()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request plain = Request.Typical();
        Request noCache = With(NoCache);

        await client.GetStreamingResponseAsync(plain.Messages, plain.Options).ToChatResponseAsync();
        ChatResponse refreshed = await client.GetStreamingResponseAsync(noCache.Messages, noCache.Options).ToChatResponseAsync();
        ChatResponse replayed = await client.GetStreamingResponseAsync(plain.Messages, plain.Options).ToChatResponseAsync();

        Assert.Equal("answer 2", refreshed.Text);
        Assert.Equal("answer 2", replayed.Text);
        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task Streaming_no_store_replays_a_hit_and_keeps_nothing_from_a_miss()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request noStore = With(NoStore);
        Request otherNoStore = Request.Typical(r =>
        {
            r.EnsureOptions().Seed = 7;
            r.EnsureOptions().AdditionalProperties = new() { [NoStore] = true };
        });

        await client.GetStreamingResponseAsync(Request.Typical().Messages, Request.Typical().Options).ToChatResponseAsync();
        ChatResponse hit = await client.GetStreamingResponseAsync(noStore.Messages, noStore.Options).ToChatResponseAsync();
        ChatResponse miss = await client.GetStreamingResponseAsync(otherNoStore.Messages, otherNoStore.Options).ToChatResponseAsync();

        Assert.Equal("answer 1", hit.Text);
        Assert.Equal("answer 2", miss.Text);
        Assert.Equal(1, cache.Count);
    }

    private static Request With(params string[] directives) => Request.Typical(r =>
    {
        AdditionalPropertiesDictionary properties = [];
        foreach (string directive in directives)
        {
            properties[directive] = true;
        }

        r.EnsureOptions().AdditionalProperties = properties;
    });
}
