using System.Runtime.CompilerServices;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>A streaming miss reads the provider at the pace of the caller that started it, never ahead of it.</summary>
public class StreamingPaceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_slow_reader_keeps_the_provider_at_most_two_updates_ahead()
    {
        int produced = 0;
        FakeChatClient model = new() { Stream = (_, ct) => Counted(1_000, () => Interlocked.Increment(ref produced), ct) };
        using ExactMatchCachingChatClient client = new(model, new ExactMatchCache<ChatResponse>());

        await using IAsyncEnumerator<ChatResponseUpdate> reader = client.GetStreamingResponseAsync("q").GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        await Task.Delay(300); // the provider could send all 1,000 updates meanwhile

        Assert.InRange(Volatile.Read(ref produced), 1, 3);
        int read = 1;
        while (await reader.MoveNextAsync())
        {
            read++;
        }

        Assert.Equal(1_000, read);
    }

    [Fact]
    public async Task When_the_reader_stops_a_caller_that_joined_still_gets_the_whole_response()
    {
        TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
        FakeChatClient model = new() { Stream = (_, ct) => AfterGate(joined.Task, 50, ct) };
        ExactMatchCache<ChatResponse> cache = new();
        using ExactMatchCachingChatClient client = new(model, cache);

        IAsyncEnumerator<ChatResponseUpdate> first = client.GetStreamingResponseAsync("q").GetAsyncEnumerator();
        Task<bool> firstUpdate = first.MoveNextAsync().AsTask();
        Task<ChatResponse> second = client.GetStreamingResponseAsync("q").ToChatResponseAsync();
        await Task.Delay(100); // the second caller has joined the first's call
        joined.SetResult();
        Assert.True(await firstUpdate.WaitAsync(Timeout));
        await first.DisposeAsync(); // stops reading after one update

        ChatResponse response = await second.WaitAsync(Timeout);

        Assert.Equal(string.Concat(Enumerable.Range(0, 50).Select(i => $"u{i} ")), response.Text);
        Assert.Equal(1, model.Calls);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Counted(int count, Action onProduced, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            onProduced();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "x");
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> AfterGate(Task gate, int count, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await gate;
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"u{i} ");
        }
    }
}
