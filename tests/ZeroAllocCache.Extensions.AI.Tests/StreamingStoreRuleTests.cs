using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// The one rule for storing a stream: the response is stored exactly when the provider's stream was enumerated to its
/// end. A caller that stops early or cancels cancels the call; a provider that honours the token leaves nothing to
/// store, and one that finishes anyway has produced a complete response, which is stored.
/// </summary>
public class StreamingStoreRuleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_provider_that_ignores_the_token_after_the_caller_stops_early_finishes_and_its_complete_response_is_stored()
    {
        FakeChatClient model = new();
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (_, _) => IgnoringTheToken(gate.Task);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
            break;
        }

        Assert.Equal(0, cache.Count);
        gate.SetResult();
        await WaitUntil(() => cache.Count == 1);
        ChatResponse replayed = await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        Assert.Equal("firstsecond", replayed.Text);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task A_provider_that_ignores_the_token_after_the_caller_cancels_finishes_and_its_complete_response_is_stored()
    {
        FakeChatClient model = new();
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (_, _) => IgnoringTheToken(gate.Task);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();
        using CancellationTokenSource cancellation = new();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options, cancellation.Token))
            {
                await cancellation.CancelAsync();
            }
        });

        gate.SetResult();
        await WaitUntil(() => cache.Count == 1);
        Assert.True(cache.TryGet(request.Key(streaming: true), out ChatResponse? stored));
        Assert.Equal("firstsecond", stored.Text);
    }

    [Fact]
    public async Task A_provider_that_completes_synchronously_has_its_complete_response_stored_even_if_the_caller_stops_early()
    {
        FakeChatClient model = new();
        model.Stream = (_, _) => Synchronous();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
            break;
        }

        await WaitUntil(() => cache.Count == 1);
        Assert.True(cache.TryGet(request.Key(streaming: true), out ChatResponse? stored));
        Assert.Equal("onetwothree", stored.Text);
    }

    [Fact]
    public async Task A_provider_that_honours_the_token_when_the_caller_stops_early_stores_nothing()
    {
        FakeChatClient model = new();
        TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (_, ct) => HonouringTheToken(ended, ct);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
            break;
        }

        await ended.Task.WaitAsync(Timeout);
        await Task.Delay(50);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_no_cache_refresh_the_caller_stops_reading_early_stores_nothing_because_the_stream_was_not_read_to_its_end()
    {
        FakeChatClient model = new();
        model.Stream = (_, _) => Synchronous();
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical(r => r.EnsureOptions().AdditionalProperties = new() { [ExactMatchCachingChatClient.NoCachePropertyName] = true });

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
            break;
        }

        Assert.Equal(0, cache.Count);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> IgnoringTheToken(Task gate)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
        await gate;
        yield return new ChatResponseUpdate(ChatRole.Assistant, "second");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> HonouringTheToken(
        TaskCompletionSource ended, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "second");
        }
        finally
        {
            ended.TrySetResult();
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Synchronous()
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, "one");
        yield return new ChatResponseUpdate(ChatRole.Assistant, "two");
        yield return new ChatResponseUpdate(ChatRole.Assistant, "three");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using CancellationTokenSource timeout = new(Timeout);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
