namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>Concurrent identical requests share one model call; failures and cancellations are never stored.</summary>
public class SingleFlightTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Concurrent_identical_requests_make_one_model_call()
    {
        FakeChatClient model = new();
        TaskCompletionSource<ChatResponse> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = (_, _) => answer.Task;
        using IChatClient client = new ExactMatchCachingChatClient(model, new ExactMatchCache<ChatResponse>());

        Task<ChatResponse>[] callers = [.. Enumerable.Range(0, 8).Select(_ => client.GetResponseAsync(Request.Typical().Messages, Request.Typical().Options))];
        answer.SetResult(FakeChatClient.Answer(1));
        ChatResponse[] responses = await Task.WhenAll(callers).WaitAsync(Timeout);

        Assert.Equal(1, model.Calls);
        Assert.All(responses, r => Assert.Same(responses[0], r));
    }

    [Fact]
    public async Task Concurrent_identical_streaming_requests_make_one_model_call()
    {
        FakeChatClient model = new();
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Stream = (call, ct) => AfterGate(gate.Task, call, ct);
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);

        Task<ChatResponse>[] callers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            client.GetStreamingResponseAsync(Request.Typical().Messages, Request.Typical().Options).ToChatResponseAsync()))];

        // Every caller has missed, and so joined the call in progress, before the model answers.
        await WaitUntil(() => cache.Stats.Misses == 4);
        gate.SetResult();
        ChatResponse[] responses = await Task.WhenAll(callers).WaitAsync(Timeout);

        Assert.Equal(1, model.Calls);
        Assert.All(responses, r => Assert.Equal("answer 1", r.Text));
        Assert.All(responses, r => Assert.Equal(FakeChatClient.OutputTokens, r.Usage?.OutputTokenCount));
    }

    [Fact]
    public async Task A_failed_call_reaches_every_waiter_and_stores_nothing()
    {
        FakeChatClient model = new();
        TaskCompletionSource<ChatResponse> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = (call, _) => call == 1 ? answer.Task : Task.FromResult(FakeChatClient.Answer(call));
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        Task<ChatResponse> first = client.GetResponseAsync(request.Messages, request.Options);
        Task<ChatResponse> second = client.GetResponseAsync(request.Messages, request.Options);
        answer.SetException(new HttpRequestException("rate limited"));

        await Assert.ThrowsAsync<HttpRequestException>(() => first.WaitAsync(Timeout));
        await Assert.ThrowsAsync<HttpRequestException>(() => second.WaitAsync(Timeout));
        Assert.Equal(0, cache.Count);
        ChatResponse retried = await client.GetResponseAsync(request.Messages, request.Options);
        Assert.Equal("answer 2", retried.Text);
    }

    [Fact]
    public async Task A_call_cancelled_by_its_only_caller_stores_nothing()
    {
        FakeChatClient model = new();
        TaskCompletionSource modelCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = async (call, ct) =>
        {
            if (call > 1)
            {
                return FakeChatClient.Answer(call);
            }

            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                modelCancelled.TrySetResult();
                throw;
            }

            throw new InvalidOperationException("unreachable");
        };
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();
        using CancellationTokenSource cancellation = new();

        Task<ChatResponse> call = client.GetResponseAsync(request.Messages, request.Options, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Timeout));
        await modelCancelled.Task.WaitAsync(Timeout);
        Assert.Equal(0, cache.Count);
        ChatResponse next = await client.GetResponseAsync(request.Messages, request.Options).WaitAsync(Timeout);
        Assert.Equal("answer 2", next.Text);
    }

    [Fact]
    public async Task A_model_that_cancels_its_call_stores_nothing()
    {
        FakeChatClient model = new();
        model.Respond = (call, _) => call == 1
            ? Task.FromCanceled<ChatResponse>(new CancellationToken(canceled: true))
            : Task.FromResult(FakeChatClient.Answer(call));
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(request.Messages, request.Options));

        Assert.Equal(0, cache.Count);
        Assert.Equal("answer 2", (await client.GetResponseAsync(request.Messages, request.Options)).Text);
    }

    [Fact]
    public async Task One_caller_cancelling_does_not_cancel_the_call_for_the_others()
    {
        FakeChatClient model = new();
        TaskCompletionSource<ChatResponse> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        model.Respond = (_, _) => answer.Task;
        ExactMatchCache<ChatResponse> cache = new();
        using IChatClient client = new ExactMatchCachingChatClient(model, cache);
        Request request = Request.Typical();
        using CancellationTokenSource cancellation = new();

        Task<ChatResponse> leaving = client.GetResponseAsync(request.Messages, request.Options, cancellation.Token);
        Task<ChatResponse> staying = client.GetResponseAsync(request.Messages, request.Options);
        await cancellation.CancelAsync();
        answer.SetResult(FakeChatClient.Answer(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving.WaitAsync(Timeout));
        Assert.Equal("answer 1", (await staying.WaitAsync(Timeout)).Text);
        Assert.Equal(1, model.Calls);
        Assert.Equal(1, cache.Count);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> AfterGate(
        Task gate, int call, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        await foreach (ChatResponseUpdate update in FakeChatClient.Updates(call, ct))
        {
            yield return update;
        }
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
