using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>Streaming: pass-through on a miss, the coalesced response stored, replay on a hit.</summary>
public class StreamingTests
{
    [Fact]
    public async Task A_miss_passes_each_update_through_before_the_model_sends_the_next()
    {
        FakeChatClient model = new();
        TaskCompletionSource secondUpdateAllowed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (_, ct) => Gated(secondUpdateAllowed.Task, ct);
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();

        await using IAsyncEnumerator<ChatResponseUpdate> updates = client.GetStreamingResponseAsync(request.Messages, request.Options).GetAsyncEnumerator();
        ValueTask<bool> first = updates.MoveNextAsync();
        bool gotFirst = await first.AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(gotFirst);
        Assert.Equal("first", updates.Current.Text);
        secondUpdateAllowed.SetResult();
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal("second", updates.Current.Text);
        Assert.False(await updates.MoveNextAsync());
    }

    [Fact]
    public async Task A_hit_replays_the_same_text_usage_and_finish_reason()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();

        ChatResponse live = await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        ChatResponse replayed = await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();

        Assert.Equal(1, model.Calls);
        Assert.Equal("answer 1", live.Text);
        Assert.Equal(live.Text, replayed.Text);
        Assert.Equal(ChatFinishReason.Stop, replayed.FinishReason);
        Assert.Equal(FakeChatClient.InputTokens, replayed.Usage?.InputTokenCount);
        Assert.Equal(FakeChatClient.OutputTokens, replayed.Usage?.OutputTokenCount);
        Assert.Equal(live.ResponseId, replayed.ResponseId);
        Assert.Equal(ChatRole.Assistant, Assert.Single(replayed.Messages).Role);
    }

    [Fact]
    public async Task A_miss_stores_the_response_coalesced_from_the_updates()
    {
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(new FakeChatClient(), cache);
        Request request = Request.Typical();

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
        }

        Assert.True(cache.TryGet(request.Key(streaming: true), out ChatResponse? stored));
        Assert.Equal("answer 1", stored.Text);
        Assert.Equal(FakeChatClient.InputTokens, stored.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Streaming_and_non_streaming_requests_do_not_answer_for_each_other()
    {
        FakeChatClient model = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());
        Request request = Request.Typical();

        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        await client.GetResponseAsync(request.Messages, request.Options);
        await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();

        Assert.Equal(2, model.Calls);
    }

    [Fact]
    public async Task A_stream_that_fails_midway_reaches_the_caller_and_stores_nothing()
    {
        FakeChatClient model = new();
        model.Stream = (call, ct) => call == 1 ? FailAfterOne(ct) : FakeChatClient.Updates(call, ct);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();
        List<string> received = [];

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(request.Messages, request.Options))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal("model failed", error.Message);
        Assert.Equal(["partial"], received);
        Assert.Equal(0, cache.Count);
        ChatResponse retried = await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        Assert.Equal("answer 2", retried.Text);
    }

    [Fact]
    public async Task A_stream_the_caller_stops_reading_early_is_cancelled_and_stores_nothing()
    {
        FakeChatClient model = new();
        TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (call, ct) => call == 1 ? Gated(Task.Delay(Timeout.Infinite, ct), ct, ended) : FakeChatClient.Updates(call, ct);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(request.Messages, request.Options))
        {
            break;
        }

        await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cache.Count);
        ChatResponse next = await client.GetStreamingResponseAsync(request.Messages, request.Options).ToChatResponseAsync();
        Assert.Equal(2, model.Calls);
        Assert.Equal("answer 2", next.Text);
    }

    [Fact]
    public async Task A_cancelled_stream_throws_and_stores_nothing()
    {
        FakeChatClient model = new();
        TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (_, ct) => Gated(Task.Delay(Timeout.Infinite, ct), ct, ended);
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

        await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, cache.Count);
    }

    // Streams "first", waits for the gate, streams "second"; signals ended however it stops.
    private static async IAsyncEnumerable<ChatResponseUpdate> Gated(
        Task gate, [EnumeratorCancellation] CancellationToken ct, TaskCompletionSource? ended = null)
    {
        try
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
            await gate.WaitAsync(ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "second");
        }
        finally
        {
            ended?.TrySetResult();
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> FailAfterOne([EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
        ct.ThrowIfCancellationRequested();
        throw new InvalidOperationException("model failed");
    }
}
