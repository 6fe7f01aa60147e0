using System.Text.Json;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// What the key is made of: every part of a request that can change the answer changes the key; ids, timestamps and
/// raw representations do not; what cannot be keyed faithfully is not keyed at all.
/// </summary>
public class CacheKeyCompositionTests
{
    private static readonly JsonElement SchemaA = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement;
    private static readonly JsonElement SchemaB = JsonDocument.Parse("""{"type":"object","properties":{"town":{"type":"string"}}}""").RootElement;

    // Each entry changes one part of the typical request.
    private static readonly Dictionary<string, Action<Request>> Changes = new()
    {
        ["user message text"] = r => r.Messages[1] = new ChatMessage(ChatRole.User, Request.UserMessage + "?"),
        ["system message text"] = r => r.Messages[0] = new ChatMessage(ChatRole.System, Request.SystemPrompt + "!"),
        ["message role"] = r => r.Messages[1].Role = ChatRole.Assistant,
        ["message author name"] = r => r.Messages[1].AuthorName = "alice",
        ["message order"] = r => r.Messages.Reverse(),
        ["an extra message"] = r => r.Messages.Add(new ChatMessage(ChatRole.User, "and then?")),
        ["text split into two contents"] = r => r.Messages[1].Contents = [new TextContent(Request.UserMessage[..200]), new TextContent(Request.UserMessage[200..])],
        ["message additional properties"] = r => r.Messages[1].AdditionalProperties = new() { ["priority"] = "high" },
        ["content additional properties"] = r => r.Messages[1].Contents[0].AdditionalProperties = new() { ["detail"] = "low" },
        ["reasoning text"] = r => r.Messages.Insert(1, new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("think")])),
        ["image bytes"] = r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 4 }, "image/png")),
        ["image uri"] = r => r.Messages[1].Contents.Add(new UriContent("https://example.com/b.png", "image/png")),
        ["function call"] = r => r.Messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "weather", new Dictionary<string, object?> { ["city"] = "Oslo" })])),
        ["error content"] = r => r.Messages.Add(new ChatMessage(ChatRole.Assistant, [new ErrorContent("quota exceeded")])),
        ["model id"] = r => r.EnsureOptions().ModelId = "gpt-4o",
        ["instructions"] = r => r.EnsureOptions().Instructions = "be brief",
        ["temperature"] = r => r.EnsureOptions().Temperature = 0.3f,
        ["top-p"] = r => r.EnsureOptions().TopP = 0.9f,
        ["top-k"] = r => r.EnsureOptions().TopK = 40,
        ["max output tokens"] = r => r.EnsureOptions().MaxOutputTokens = 513,
        ["frequency penalty"] = r => r.EnsureOptions().FrequencyPenalty = 0.5f,
        ["presence penalty"] = r => r.EnsureOptions().PresencePenalty = 0.5f,
        ["seed"] = r => r.EnsureOptions().Seed = 42,
        ["stop sequences"] = r => r.EnsureOptions().StopSequences = ["END"],
        ["response format text"] = r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.Text,
        ["response format json"] = r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.Json,
        ["response format schema"] = r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaA, "place"),
        ["tool mode auto"] = r => r.EnsureOptions().ToolMode = ChatToolMode.Auto,
        ["tool mode none"] = r => r.EnsureOptions().ToolMode = ChatToolMode.None,
        ["tool mode required"] = r => r.EnsureOptions().ToolMode = ChatToolMode.RequireAny,
        ["allow multiple tool calls"] = r => r.EnsureOptions().AllowMultipleToolCalls = false,
        ["tools"] = r => r.EnsureOptions().Tools = [Tool("weather", "Gets the weather.", SchemaA)],
        ["reasoning effort"] = r => r.EnsureOptions().Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
        ["reasoning output"] = r => r.EnsureOptions().Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full },
        ["additional properties"] = r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" },
    };

    // Each entry is a pair of requests that differ in one detail of a part that is already present.
    private static readonly Dictionary<string, (Action<Request> A, Action<Request> B)> Details = new()
    {
        ["reasoning protected data"] = (
            r => r.Messages.Insert(1, new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("t") { ProtectedData = "x" }])),
            r => r.Messages.Insert(1, new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("t") { ProtectedData = "y" }]))),
        ["image media type"] = (
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png")),
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/jpeg"))),
        ["image bytes"] = (
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png")),
            r => r.Messages[1].Contents.Add(new DataContent(new byte[] { 1, 2, 4 }, "image/png"))),
        ["uri"] = (
            r => r.Messages[1].Contents.Add(new UriContent("https://example.com/a.png", "image/png")),
            r => r.Messages[1].Contents.Add(new UriContent("https://example.com/b.png", "image/png"))),
        ["function call name"] = (
            r => r.Messages.Add(Call("c1", "weather", "Oslo")),
            r => r.Messages.Add(Call("c1", "forecast", "Oslo"))),
        ["function call arguments"] = (
            r => r.Messages.Add(Call("c1", "weather", "Oslo")),
            r => r.Messages.Add(Call("c1", "weather", "Bergen"))),
        ["function call argument of another type"] = (
            r => r.Messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["n"] = 1 })])),
            r => r.Messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["n"] = "1" })]))),
        ["function result"] = (
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Result("c1", "rain")]),
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Result("c1", "sun")])),
        ["function result as JSON"] = (
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Result("c1", JsonDocument.Parse("""{"t":1}""").RootElement)]),
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Result("c1", JsonDocument.Parse("""{"t":2}""").RootElement)])),
        ["which result answers which call"] = (
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Call("c2", "weather", "Rome"), Result("c1", "rain"), Result("c2", "sun")]),
            r => r.Messages.AddRange([Call("c1", "weather", "Oslo"), Call("c2", "weather", "Rome"), Result("c2", "rain"), Result("c1", "sun")])),
        ["response format schema"] = (
            r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaA, "place"),
            r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaB, "place")),
        ["response format schema name"] = (
            r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaA, "place"),
            r => r.EnsureOptions().ResponseFormat = ChatResponseFormat.ForJsonSchema(SchemaA, "city")),
        ["required tool name"] = (
            r => r.EnsureOptions().ToolMode = ChatToolMode.RequireSpecific("weather"),
            r => r.EnsureOptions().ToolMode = ChatToolMode.RequireSpecific("forecast")),
        ["tool name"] = (
            r => r.EnsureOptions().Tools = [Tool("weather", "Gets the weather.", SchemaA)],
            r => r.EnsureOptions().Tools = [Tool("forecast", "Gets the weather.", SchemaA)]),
        ["tool description"] = (
            r => r.EnsureOptions().Tools = [Tool("weather", "Gets the weather.", SchemaA)],
            r => r.EnsureOptions().Tools = [Tool("weather", "Gets tomorrow's weather.", SchemaA)]),
        ["tool parameter schema"] = (
            r => r.EnsureOptions().Tools = [Tool("weather", "Gets the weather.", SchemaA)],
            r => r.EnsureOptions().Tools = [Tool("weather", "Gets the weather.", SchemaB)]),
        ["additional property value"] = (
            r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "flex" },
            r => r.EnsureOptions().AdditionalProperties = new() { ["service_tier"] = "priority" }),
        ["additional property JSON value"] = (
            r => r.EnsureOptions().AdditionalProperties = new() { ["x"] = JsonDocument.Parse("[1,2]").RootElement },
            r => r.EnsureOptions().AdditionalProperties = new() { ["x"] = JsonDocument.Parse("[1,3]").RootElement }),
    };

    // Each entry changes a part of the request that does not change the answer.
    private static readonly Dictionary<string, (Action<Request> A, Action<Request> B)> Irrelevant = new()
    {
        ["message ids"] = (r => r.Messages[1].MessageId = "m-1", r => r.Messages[1].MessageId = "m-2"),
        ["message timestamps"] = (
            r => r.Messages[1].CreatedAt = DateTimeOffset.UnixEpoch,
            r => r.Messages[1].CreatedAt = DateTimeOffset.UnixEpoch.AddHours(1)),
        ["raw representations"] = (r => r.Messages[1].RawRepresentation = "a", r => r.Messages[1].RawRepresentation = "b"),
        ["tool call ids"] = (
            r => r.Messages.AddRange([Call("call_abc", "weather", "Oslo"), Result("call_abc", "rain")]),
            r => r.Messages.AddRange([Call("call_xyz", "weather", "Oslo"), Result("call_xyz", "rain")])),
        ["cache directives"] = (
            r => r.EnsureOptions().AdditionalProperties = new() { [ExactMatchCachingChatClient.NoCachePropertyName] = true },
            r => r.EnsureOptions().AdditionalProperties = null),
        ["an empty property bag"] = (r => r.EnsureOptions().AdditionalProperties = [], r => r.EnsureOptions().AdditionalProperties = null),
        ["an empty tool list"] = (r => r.EnsureOptions().Tools = [], r => r.EnsureOptions().Tools = null),
    };

    public static TheoryData<string> ChangeNames => [.. Changes.Keys];

    public static TheoryData<string> DetailNames => [.. Details.Keys];

    public static TheoryData<string> IrrelevantNames => [.. Irrelevant.Keys];

    [Theory]
    [MemberData(nameof(ChangeNames))]
    public void Each_part_of_the_request_changes_the_key(string part)
    {
        CacheKey original = Request.Typical().Key();

        CacheKey changed = Request.Typical(Changes[part]).Key();

        Assert.NotEqual(original, changed);
    }

    [Theory]
    [MemberData(nameof(DetailNames))]
    public void Each_detail_of_a_part_changes_the_key(string detail)
    {
        (Action<Request> a, Action<Request> b) = Details[detail];

        Assert.Equal(Request.Typical(a).Key(), Request.Typical(a).Key());
        Assert.NotEqual(Request.Typical(a).Key(), Request.Typical(b).Key());
    }

    [Theory]
    [MemberData(nameof(IrrelevantNames))]
    public void Parts_that_do_not_change_the_answer_leave_the_key_alone(string part)
    {
        (Action<Request> a, Action<Request> b) = Irrelevant[part];

        Assert.Equal(Request.Typical(a).Key(), Request.Typical(b).Key());
    }

    [Fact]
    public void Equal_requests_built_separately_have_equal_keys()
    {
        Assert.Equal(Request.Typical().Key(), Request.Typical().Key());
    }

    [Fact]
    public void Streaming_and_non_streaming_requests_have_different_keys()
    {
        Request request = Request.Typical();

        Assert.NotEqual(request.Key(streaming: false), request.Key(streaming: true));
    }

    [Fact]
    public void No_options_and_default_options_have_the_same_key()
    {
        Request withNull = Request.Typical() with { Options = null };
        Request withDefaults = Request.Typical() with { Options = new ChatOptions() };

        Assert.Equal(withNull.Key(), withDefaults.Key());
    }

    [Fact]
    public void A_lazy_message_sequence_has_the_key_of_the_same_messages_in_a_list()
    {
        Request request = Request.Typical();
        IEnumerable<ChatMessage> lazy = request.Messages.Select(m => m);

        Assert.True(ExactMatchCachingChatClient.TryCreateCacheKey(lazy, request.Options, streaming: false, out CacheKey key));
        Assert.Equal(request.Key(), key);
    }

    // The key format is a contract with every cache that holds entries (and, with a distributed level, with other
    // replicas): a change to how requests are walked must not change the key of a request that was keyable before.
    [Fact]
    public void The_key_of_a_request_with_every_kind_of_part_is_the_one_this_format_version_has_always_given()
    {
        Request request = Request.Typical(r =>
        {
            ChatOptions options = r.EnsureOptions();
            options.Tools = [Tool("weather", "Gets the weather.", JsonDocument.Parse("""{"type":"object"}""").RootElement)];
            options.StopSequences = ["END"];
            options.ResponseFormat = ChatResponseFormat.Json;
            options.AdditionalProperties = new() { ["tier"] = "gold", ["retries"] = 2 };
            r.Messages.Add(Call("call-1", "weather", "Oslo"));
            r.Messages.Add(Result("call-1", "sunny"));
            r.Messages.Add(new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new TextContent("and this?")]));
        });

        Assert.Equal("82ba8ae8c601d66aabe5a5ef745b7d16ab9cdba015429a75df4fc7c48fb0437f", request.Key().ToString());
    }

    [Fact]
    public void A_conversation_of_20000_tool_calls_keys_by_which_result_answers_which_call_not_by_the_call_ids()
    {
        const int Calls = 20_000;

        Request first = WithToolCalls("first", Calls, reverseResults: false);
        Request renamed = WithToolCalls("renamed", Calls, reverseResults: false);
        Request reordered = WithToolCalls("first", Calls, reverseResults: true);

        Assert.Equal(first.Key(), renamed.Key());
        Assert.NotEqual(first.Key(), reordered.Key());
    }

    // Calls "{prefix}-0" to "{prefix}-{n-1}", then their results in order or in reverse, each result naming its call.
    private static Request WithToolCalls(string prefix, int count, bool reverseResults)
    {
        Request request = Request.Typical();
        for (int i = 0; i < count; i++)
        {
            request.Messages.Add(Call($"{prefix}-{i}", "weather", "city " + i));
        }

        for (int n = 0; n < count; n++)
        {
            int i = reverseResults ? count - 1 - n : n;
            request.Messages.Add(Result($"{prefix}-{i}", "sunny in city " + i));
        }

        return request;
    }

    private static AIFunctionDeclaration Tool(string name, string description, JsonElement schema) =>
        AIFunctionFactory.CreateDeclaration(name, description, schema);

    private static ChatMessage Call(string callId, string name, string city) =>
        new(ChatRole.Assistant, [new FunctionCallContent(callId, name, new Dictionary<string, object?> { ["city"] = city })]);

    private static ChatMessage Result(string callId, object? result) =>
        new(ChatRole.Tool, [new FunctionResultContent(callId, result)]);
}
