namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>Non-streaming hits and misses through the middleware.</summary>
public class CachingTests
{
    [Fact]
    public async Task A_repeated_request_is_answered_from_the_cache_without_calling_the_model()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());

        ChatResponse first = await client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options);
        ChatResponse second = await client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options);

        Assert.Equal(1, model.Calls);
        Assert.Equal("answer 1", first.Text);
        Assert.Equal("answer 1", second.Text);
    }

    [Fact]
    public async Task A_hit_returns_the_stored_response_instance_itself()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();

        ChatResponse first = await client.GetResponseAsync(request.Messages, request.Options);
        ChatResponse second = await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Same(first, second);
    }

    [Fact]
    public async Task A_hit_completes_synchronously()
    {
        using IChatClient client = new ExactMatchCachingChatClient(new FakeChatClient(), new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);

        Task<ChatResponse> hit = client.GetResponseAsync(request.Messages, request.Options);

        Assert.True(hit.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_different_request_calls_the_model()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request other = Request.Typical(r => r.EnsureOptions().Temperature = 0.9f);

        await client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options);
        ChatResponse answer = await client.GetResponseAsync(other.Messages, other.Options);

        Assert.Equal(2, model.Calls);
        Assert.Equal("answer 2", answer.Text);
    }

    [Fact]
    public async Task The_cache_counts_the_middlewares_hits_and_misses()
    {
        // The size estimate named, not left to the registry: whether this assembly has loaded before the cache is
        // built depends on which tests ran first.
        ExactMatchCache<ChatResponse> cache = new(new ExactMatchCacheOptions<ChatResponse> { SizeOf = ChatResponseSizes.Of });
        using IChatClient client = new ExactMatchCachingChatClient(new FakeChatClient(), cache);
        Request request = Request.Typical();

        ChatResponse response = await client.GetResponseAsync(request.Messages, request.Options);
        for (int i = 0; i < 2; i++)
        {
            await client.GetResponseAsync(request.Messages, request.Options);
        }

        Assert.Equal(new CacheStats(Hits: 2, Misses: 1, Size: 1, Evictions: 0, Expirations: 0) { StoredBytes = ChatResponseSizes.Of(response) }, cache.Stats);
    }

    [Fact]
    public async Task An_expired_response_is_fetched_again()
    {
        Microsoft.Extensions.Time.Testing.FakeTimeProvider time = new();
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(
            model, new ExactMatchCache<ChatResponse>(ttl: TimeSpan.FromMinutes(5), timeProvider: time));
        Request request = Request.Typical();

        await client.GetResponseAsync(request.Messages, request.Options);
        time.Advance(TimeSpan.FromMinutes(6));
        ChatResponse answer = await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(2, model.Calls);
        Assert.Equal("answer 2", answer.Text);
    }

    [Fact]
    public async Task A_response_can_be_invalidated_by_its_key()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.True(ExactMatchCachingChatClient.TryCreateCacheKey(request.Messages, request.Options, streaming: false, out CacheKey key));
        Assert.True(cache.Invalidate(in key));
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task A_lazy_message_sequence_is_read_once_and_forwarded_as_read()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        int enumerations = 0;
        IEnumerable<ChatMessage> Lazy()
        {
            enumerations++;
            yield return new ChatMessage(ChatRole.User, "hi");
        }

        await client.GetResponseAsync(Lazy());
        await client.GetResponseAsync(Lazy());

        Assert.Equal(2, enumerations);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task Clients_sharing_a_cache_share_its_responses()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient first = new ExactMatchCachingChatClient(model, cache);
        using IChatClient second = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await first.GetResponseAsync(request.Messages, request.Options);
        ChatResponse answer = await second.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(1, model.Calls);
        Assert.Equal("answer 1", answer.Text);
    }
}
