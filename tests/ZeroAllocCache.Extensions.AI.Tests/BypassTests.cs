namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// Requests the middleware must not answer from the cache: server-side conversations, what
/// <see cref="ExactMatchCachingChatClient.EnableCaching"/> turns away, and anything that cannot be keyed faithfully.
/// Each goes to the model every time and leaves the cache untouched.
/// </summary>
public class BypassTests
{
    // Each entry adds something the key cannot represent faithfully to the typical request.
    private static readonly Dictionary<string, Action<Request>> Unkeyable = new()
    {
        ["a hosted file"] = r => r.Messages[1].Contents.Add(new HostedFileContent("file-123")),
        ["a content kind the key does not know"] = r => r.Messages[1].Contents.Add(new CustomContent()),
        ["a subclass of a known content kind"] = r => r.Messages[1].Contents.Add(new TaggedDataContent()),
        ["an annotation"] = r => r.Messages[1].Contents[0].Annotations = [new CitationAnnotation { Title = "source" }],
        ["an arbitrary object in the message properties"] = r => r.Messages[1].AdditionalProperties = new() { ["x"] = new object() },
        ["an arbitrary object in the options properties"] = r => r.EnsureOptions().AdditionalProperties = new() { ["x"] = new List<int> { 1 } },
        ["an arbitrary object as a function argument"] = r => r.Messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["x"] = new Uri("https://a") })])),
        ["an arbitrary object as a function result"] = r => r.Messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", new object())])),
        ["a raw options factory"] = r => r.EnsureOptions().RawRepresentationFactory = _ => null,
        ["a continuation token"] = r => r.EnsureOptions().ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 1 }),
        ["background responses"] = r => r.EnsureOptions().AllowBackgroundResponses = true,
        ["a hosted tool"] = r => r.EnsureOptions().Tools = [new HostedWebSearchTool()],
        ["a null message"] = r => r.Messages.Add(null!),
    };

    public static TheoryData<string> UnkeyableNames => [.. Unkeyable.Keys];

    [Theory]
    [MemberData(nameof(UnkeyableNames))]
    public void A_request_that_cannot_be_keyed_faithfully_has_no_key(string part)
    {
        Assert.True(Request.Typical().IsKeyable);

        Assert.False(Request.Typical(Unkeyable[part]).IsKeyable);
    }

    [Theory]
    [MemberData(nameof(UnkeyableNames))]
    public async Task A_request_that_cannot_be_keyed_faithfully_goes_to_the_model_every_time(string part)
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical(Unkeyable[part]);

        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(2, model.Calls);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Stats.Lookups);
    }

    [Fact]
    public async Task Options_of_a_ChatOptions_subclass_go_to_the_model_every_time_whatever_their_own_properties()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request forA = Request.Typical() with { Options = new TenantOptions { ModelId = "gpt-4o-mini", Tenant = "a" } };
        Request forB = Request.Typical() with { Options = new TenantOptions { ModelId = "gpt-4o-mini", Tenant = "b" } };

        ChatResponse a = await client.GetResponseAsync(forA.Messages, forA.Options);
        ChatResponse b = await client.GetResponseAsync(forB.Messages, forB.Options);
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(forA.Messages, forA.Options))
        {
        }

        Assert.Equal(3, model.Calls);
        Assert.NotEqual(a.Text, b.Text);
        Assert.Equal(0, cache.Count);
        Assert.False(forA.IsKeyable);
    }

    [Fact]
    public async Task Options_of_a_ChatOptions_subclass_with_a_cache_directive_still_bypass_and_the_directive_is_removed()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        TenantOptions options = new() { Tenant = "a", AdditionalProperties = new() { [ExactMatchCachingChatClient.NoStorePropertyName] = true } };
        Request request = Request.Typical() with { Options = options };

        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);

        Assert.Equal(2, model.Calls);
        Assert.All(model.ReceivedOptions, o => Assert.Null(o?.AdditionalProperties));
    }

    [Fact]
    public async Task A_request_with_a_conversation_id_goes_to_the_model_every_time()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical(r => r.EnsureOptions().ConversationId = "conv-1");

        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetResponseAsync(request.Messages, request.Options);
        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
        }

        Assert.Equal(3, model.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task EnableCaching_can_turn_requests_away_from_the_cache()
    {
        FakeChatClient model = new();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new NoCachingForModel(model, cache, "gpt-4o");
        Request turnedAway = Request.Typical(r => r.EnsureOptions().ModelId = "gpt-4o");
        Request cached = Request.Typical();

        await client.GetResponseAsync(turnedAway.Messages, turnedAway.Options);
        await client.GetResponseAsync(turnedAway.Messages, turnedAway.Options);
        await client.GetResponseAsync(cached.Messages, cached.Options);
        await client.GetResponseAsync(cached.Messages, cached.Options);

        Assert.Equal(3, model.Calls);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task EnableCaching_sees_the_options_without_the_cache_directives()
    {
        FakeChatClient model = new();
        using NoCachingForModel client = new(model, new ExactMatchCache<ChatResponse>(), "none");
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [ExactMatchCachingChatClient.NoStorePropertyName] = true });

        await client.GetResponseAsync(request.Messages, request.Options);

        ChatOptions? seen = Assert.Single(client.SeenOptions);
        Assert.NotNull(seen);
        Assert.Null(seen.AdditionalProperties);
    }

    [Fact]
    public async Task A_bypassed_request_reaches_the_model_without_the_cache_directives()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical(r =>
        {
            r.EnsureOptions().ConversationId = "conv-1";
            r.EnsureOptions().AdditionalProperties = new() { [ExactMatchCachingChatClient.NoCachePropertyName] = true, ["keep"] = 1 };
        });

        await client.GetResponseAsync(request.Messages, request.Options);

        AdditionalPropertiesDictionary? received = Assert.Single(model.ReceivedOptions)!.AdditionalProperties;
        Assert.Equal(["keep"], received!.Keys);
    }

    private sealed class CustomContent : AIContent;

    private sealed class TenantOptions : ChatOptions
    {
        public TenantOptions()
        {
        }

        private TenantOptions(TenantOptions other)
            : base(other)
        {
            Tenant = other.Tenant;
        }

        public string? Tenant { get; set; }

        public override ChatOptions Clone() => new TenantOptions(this);
    }

    private sealed class TaggedDataContent() : DataContent(new byte[] { 1 }, "image/png");

    private sealed class NoCachingForModel(IChatClient inner, ExactMatchCache<ChatResponse> cache, string model)
        : ExactMatchCachingChatClient(inner, cache)
    {
        public List<ChatOptions?> SeenOptions { get; } = [];

        protected override bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            SeenOptions.Add(options);
            return base.EnableCaching(messages, options) && options?.ModelId != model;
        }
    }
}
