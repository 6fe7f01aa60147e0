using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.AI;

using ZeroAllocCache.Extensions.AI;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 13, point 9: keying a conversation of N tool calls and their results. Call ids become ordinals; looked up in
/// a list that was quadratic (94 ms at 5,000 calls, 1.7 s at 20,000); with a dictionary the time grows with N.
/// </summary>
[MemoryDiagnoser]
public class ToolCallKeyingBenchmarks
{
    private List<ChatMessage> _messages = null!;

    /// <summary>The number of tool calls, each followed later by its result.</summary>
    [Params(1_000, 5_000, 20_000)]
    public int Calls { get; set; }

    /// <summary>Builds the conversation: a user message, N calls, then N results.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _messages = [new ChatMessage(ChatRole.User, "What is the weather in each of these cities?")];
        for (int i = 0; i < Calls; i++)
        {
            _messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{i}", "weather", new Dictionary<string, object?> { ["city"] = $"city {i}" })]));
        }

        for (int i = 0; i < Calls; i++)
        {
            _messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"call-{i}", $"sunny in city {i}")]));
        }
    }

    /// <summary>The key of the whole conversation.</summary>
    [Benchmark]
    public CacheKey Key_of_a_conversation_with_tool_calls() =>
        ExactMatchCachingChatClient.TryCreateCacheKey(_messages, null, streaming: false, out CacheKey key)
            ? key
            : throw new InvalidOperationException("The conversation could not be keyed.");
}
