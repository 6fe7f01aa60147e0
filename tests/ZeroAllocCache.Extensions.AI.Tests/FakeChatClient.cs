using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// The model behind the cache in these tests: answers call n with "answer n" (and fixed token usage), counts the
/// calls and records the options it received. Tests replace <see cref="Respond"/> or <see cref="Stream"/> to make
/// calls slow, failing or cancelled.
/// </summary>
internal sealed class FakeChatClient : IChatClient
{
    public const int InputTokens = 120;
    public const int OutputTokens = 30;

    private int _calls;

    /// <summary>Calls received, streaming or not.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<ChatOptions?> ReceivedOptions { get; } = new();

    /// <summary>Answers non-streaming call n (1-based); the default answers at once.</summary>
    public Func<int, CancellationToken, Task<ChatResponse>>? Respond { get; set; }

    /// <summary>Answers streaming call n (1-based); the default streams <see cref="Updates"/>.</summary>
    public Func<int, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? Stream { get; set; }

    public static ChatResponse Answer(int call) =>
        new(new ChatMessage(ChatRole.Assistant, $"answer {call}"))
        {
            ResponseId = $"response-{call}",
            ModelId = "fake-model",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens, TotalTokenCount = InputTokens + OutputTokens },
        };

    /// <summary>"answer n" in three updates, then the usage and the finish reason.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Updates(
        int call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] chunks = ["ans", "wer ", call.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (string chunk in chunks)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ResponseId = $"response-{call}", MessageId = $"message-{call}" };
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = $"response-{call}",
            MessageId = $"message-{call}",
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens })],
        };
    }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        ReceivedOptions.Enqueue(options);
        return Respond is { } respond ? respond(call, cancellationToken) : Task.FromResult(Answer(call));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        ReceivedOptions.Enqueue(options);
        return Stream is { } stream ? stream(call, cancellationToken) : Updates(call, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
