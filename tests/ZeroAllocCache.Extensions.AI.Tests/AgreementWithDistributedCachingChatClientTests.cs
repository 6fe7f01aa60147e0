using System.Text.Json;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// The same pairs of requests sent through <c>UseExactMatchCache</c> and through M.E.AI's
/// <c>UseDistributedCache</c> over a <see cref="MemoryDistributedCache"/>: the second request hits or misses in both
/// alike, except where ZeroAllocCache differs on purpose, each difference with a test of its own.
/// </summary>
public class AgreementWithDistributedCachingChatClientTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement;

    // First request, second request, and whether the second is a hit (in both caches).
    private static readonly Dictionary<string, (Action<Request> First, Action<Request> Second, bool Hit)> Cases = new()
    {
        ["the same request"] = (_ => { }, _ => { }, true),
        ["another user message"] = (_ => { }, r => r.Messages[1] = new ChatMessage(ChatRole.User, "other"), false),
        ["another system message"] = (_ => { }, r => r.Messages[0] = new ChatMessage(ChatRole.System, "other"), false),
        ["another role"] = (_ => { }, r => r.Messages[1].Role = ChatRole.Assistant, false),
        ["another author name"] = (_ => { }, r => r.Messages[1].AuthorName = "bob", false),
        ["an extra message"] = (_ => { }, r => r.Messages.Add(new ChatMessage(ChatRole.User, "more")), false),
        ["another model"] = (_ => { }, r => r.EnsureOptions().ModelId = "gpt-4o", false),
        ["another temperature"] = (_ => { }, r => r.EnsureOptions().Temperature = 0.7f, false),
        ["another max output tokens"] = (_ => { }, r => r.EnsureOptions().MaxOutputTokens = 100, false),
        ["another top-p"] = (_ => { }, r => r.EnsureOptions().TopP = 0.5f, false),
        ["another seed"] = (_ => { }, r => r.EnsureOptions().Seed = 1, false),
        ["stop sequences"] = (_ => { }, r => r.EnsureOptions().StopSequences = ["END"], false),
        ["instructions"] = (_ => { }, r => r.EnsureOptions().Instructions = "be brief", false),
        ["a JSON schema response format"] = (_ => { }, r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "place"), false),
        ["reasoning options"] = (_ => { }, r => r.EnsureOptions().Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low }, false),
        ["additional properties"] = (_ => { }, r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" }, false),
        ["the same additional properties"] = (
            r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" },
            r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" },
            true),
        ["the same image"] = (
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png")),
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png")),
            true),
        ["another image"] = (
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png")),
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 9, 9, 9 }, "image/png")),
            false),
        ["the same function call and result"] = (
            r => r.Messages.AddRange(CallAndResult("call-1", "Oslo", "rain")),
            r => r.Messages.AddRange(CallAndResult("call-1", "Oslo", "rain")),
            true),
        ["other function arguments"] = (
            r => r.Messages.AddRange(CallAndResult("call-1", "Oslo", "rain")),
            r => r.Messages.AddRange(CallAndResult("call-1", "Rome", "rain")),
            false),
        ["another function result"] = (
            r => r.Messages.AddRange(CallAndResult("call-1", "Oslo", "rain")),
            r => r.Messages.AddRange(CallAndResult("call-1", "Oslo", "sun")),
            false),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_second_request_hits_or_misses_in_both_caches_alike(string name)
    {
        (Action<Request> first, Action<Request> second, bool hit) = Cases[name];

        bool ours = await SecondRequestHits(ExactMatch, first, second);
        bool theirs = await SecondRequestHits(Distributed, first, second);

        Assert.Equal(hit, theirs);
        Assert.Equal(theirs, ours);
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    public async Task Streaming_and_non_streaming_entries_are_kept_apart_in_both_caches_alike(
        bool firstStreams, bool secondStreams, bool hit)
    {
        bool ours = await SecondRequestHits(ExactMatch, _ => { }, _ => { }, firstStreams, secondStreams);
        bool theirs = await SecondRequestHits(Distributed, _ => { }, _ => { }, firstStreams, secondStreams);

        Assert.Equal(hit, theirs);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public async Task Both_caches_pass_a_request_with_a_conversation_id_through()
    {
        static void Conversation(Request r) => r.EnsureOptions().ConversationId = "conv-1";

        Assert.False(await SecondRequestHits(ExactMatch, Conversation, Conversation));
        Assert.False(await SecondRequestHits(Distributed, Conversation, Conversation));
    }

    [Fact]
    public async Task Difference_tools_are_part_of_our_key_and_not_of_theirs()
    {
        static void Weather(Request r) => r.EnsureOptions().Tools = [AIFunctionFactory.CreateDeclaration("weather", "Gets the weather.", Schema)];
        static void Stocks(Request r) => r.EnsureOptions().Tools = [AIFunctionFactory.CreateDeclaration("stocks", "Gets a share price.", Schema)];

        Assert.False(await SecondRequestHits(ExactMatch, Weather, Stocks));
        Assert.True(await SecondRequestHits(Distributed, Weather, Stocks));
    }

    [Fact]
    public async Task Difference_message_ids_are_not_part_of_our_key_and_are_of_theirs()
    {
        static void Id1(Request r) => r.Messages[1].MessageId = "msg-1";
        static void Id2(Request r) => r.Messages[1].MessageId = "msg-2";

        Assert.True(await SecondRequestHits(ExactMatch, Id1, Id2));
        Assert.False(await SecondRequestHits(Distributed, Id1, Id2));
    }

    [Fact]
    public async Task Difference_message_timestamps_are_not_part_of_our_key_and_are_of_theirs()
    {
        static void Early(Request r) => r.Messages[1].CreatedAt = DateTimeOffset.UnixEpoch;
        static void Late(Request r) => r.Messages[1].CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(1);

        Assert.True(await SecondRequestHits(ExactMatch, Early, Late));
        Assert.False(await SecondRequestHits(Distributed, Early, Late));
    }

    [Fact]
    public async Task Difference_tool_call_ids_are_not_part_of_our_key_and_are_of_theirs()
    {
        static void Ids1(Request r) => r.Messages.AddRange(CallAndResult("call_abc", "Oslo", "rain"));
        static void Ids2(Request r) => r.Messages.AddRange(CallAndResult("call_xyz", "Oslo", "rain"));

        Assert.True(await SecondRequestHits(ExactMatch, Ids1, Ids2));
        Assert.False(await SecondRequestHits(Distributed, Ids1, Ids2));
    }

    [Fact]
    public async Task Difference_no_options_and_default_options_share_our_entry_and_not_theirs()
    {
        static void NoOptions(Request r) => r.Options!.ModelId = null;
        static void DefaultOptions(Request r)
        {
            r.Options!.ModelId = null;
            r.Options.Temperature = null;
            r.Options.MaxOutputTokens = null;
        }

        bool ours = await SecondRequestHits(ExactMatch, NoOptions, DefaultOptions, withoutOptions: (true, false));
        bool theirs = await SecondRequestHits(Distributed, NoOptions, DefaultOptions, withoutOptions: (true, false));

        Assert.True(ours);
        Assert.False(theirs);
    }

    [Fact]
    public async Task Difference_concurrent_identical_requests_make_one_call_through_ours_and_one_each_through_theirs()
    {
        Assert.Equal(1, await ModelCallsForConcurrentRequests(ExactMatch, callers: 4));
        Assert.Equal(4, await ModelCallsForConcurrentRequests(Distributed, callers: 4));
    }

    [Fact]
    public async Task Difference_our_hit_returns_the_stored_instance_and_theirs_a_deserialised_copy()
    {
        Assert.True(await HitReturnsTheSameInstance(ExactMatch));
        Assert.False(await HitReturnsTheSameInstance(Distributed));
    }

    private static IChatClient ExactMatch(IChatClient model) =>
        new ChatClientBuilder(model).UseExactMatchCache(new ExactMatchCache<ChatResponse>()).Build();

    private static IChatClient Distributed(IChatClient model) =>
        new ChatClientBuilder(model).UseDistributedCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()))).Build();

    private static async Task<bool> SecondRequestHits(
        Func<IChatClient, IChatClient> cached,
        Action<Request> first,
        Action<Request> second,
        bool firstStreams = false,
        bool secondStreams = false,
        (bool First, bool Second) withoutOptions = default)
    {
        FakeChatClient model = new();
        using IChatClient client = cached(model);

        await Send(client, Build(first, withoutOptions.First), firstStreams);
        int callsBefore = model.Calls;
        await Send(client, Build(second, withoutOptions.Second), secondStreams);
        return model.Calls == callsBefore;
    }

    private static Request Build(Action<Request> change, bool withoutOptions)
    {
        Request request = Request.Typical(change);
        return withoutOptions ? request with { Options = null } : request with { Options = request.Options ?? new ChatOptions() };
    }

    private static async Task Send(IChatClient client, Request request, bool streaming)
    {
        if (streaming)
        {
            await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        }
        else
        {
            await client.GetResponseAsync(request.Messages, request.Options);
        }
    }

    private static async Task<int> ModelCallsForConcurrentRequests(Func<IChatClient, IChatClient> cached, int callers)
    {
        FakeChatClient model = new();
        TaskCompletionSource<ChatResponse> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = (_, _) => answer.Task;
        using IChatClient client = cached(model);

        // Both caches look up synchronously here (a MemoryDistributedCache read completes at once), so every caller
        // has reached the model, or joined the call in progress, before it answers.
        Task<ChatResponse>[] calls = [.. Enumerable.Range(0, callers).Select(_ => client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options))];
        answer.SetResult(FakeChatClient.Answer(1));
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
        return model.Calls;
    }

    private static async Task<bool> HitReturnsTheSameInstance(Func<IChatClient, IChatClient> cached)
    {
        using IChatClient client = cached(new FakeChatClient());
        Request request = Request.Typical();

        ChatResponse first = await client.GetResponseAsync(request.Messages, request.Options);
        ChatResponse second = await client.GetResponseAsync(request.Messages, request.Options);
        return ReferenceEquals(first, second);
    }

    private static ChatMessage[] CallAndResult(string callId, string city, string weather) =>
    [
        new(ChatRole.Assistant, [new FunctionCallContent(callId, "weather", new Dictionary<string, object?> { ["city"] = city })]),
        new(ChatRole.Tool, [new FunctionResultContent(callId, weather)]),
    ];
}
