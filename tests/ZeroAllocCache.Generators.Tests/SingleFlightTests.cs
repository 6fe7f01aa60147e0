using ZeroAllocCache.Generators.Tests.Wrappers;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>A generated wrapper misses through GetOrAddAsync: one model call for concurrent identical calls.</summary>
public class SingleFlightTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Concurrent_identical_calls_run_the_implementation_once()
    {
        var bot = new GatedBot();

        Task<string>[] calls = [.. Enumerable.Range(0, 8).Select(_ => bot.AskAsync("prompt").AsTask())];
        Assert.All(calls, call => Assert.False(call.IsCompleted));

        bot.Gate.SetResult("answer");
        string[] answers = await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.All(answers, answer => Assert.Equal("answer to prompt", answer));
        Assert.Equal(1, bot.Calls);
        Assert.True(CompletedSynchronously(bot.AskAsync("prompt")));
    }

    [Fact]
    public async Task A_failed_call_is_not_cached()
    {
        var bot = new GatedBot();
        Task<string>[] calls = [.. Enumerable.Range(0, 3).Select(_ => bot.AskAsync("prompt").AsTask())];

        bot.Gate.SetException(new InvalidOperationException("model unavailable"));
        foreach (Task<string> call in calls)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(Timeout));
        }

        bot.Gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bot.Gate.SetResult("answer");
        Assert.Equal("answer to prompt", await bot.AskAsync("prompt").AsTask().WaitAsync(Timeout));
        Assert.Equal(2, bot.Calls);
    }

    [Fact]
    public async Task The_implementation_is_cancelled_when_its_only_caller_cancels_and_nothing_is_cached()
    {
        var bot = new GatedBot();
        using var source = new CancellationTokenSource();
        Task<string> call = bot.AskAsync("prompt", source.Token).AsTask();

        await source.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Timeout));
        Assert.True(bot.LastToken.CanBeCanceled);
        await WaitUntilAsync(() => bot.LastToken.IsCancellationRequested);

        bot.Gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bot.Gate.SetResult("answer");
        Assert.Equal("answer to prompt", await bot.AskAsync("prompt").AsTask().WaitAsync(Timeout));
        Assert.Equal(2, bot.Calls);
    }

    private static bool CompletedSynchronously(ValueTask<string> call)
    {
        bool completed = call.IsCompletedSuccessfully;
        _ = call.AsTask();
        return completed;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(10);
        }
    }
}
