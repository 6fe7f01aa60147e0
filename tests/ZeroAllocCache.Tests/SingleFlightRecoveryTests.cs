namespace ZeroAllocCache.Tests;

/// <summary>
/// Single-flight calls that cannot complete on their own: a factory that asks for its own key, a factory that hangs,
/// and failures that race a caller's cancellation.
/// </summary>
public class SingleFlightRecoveryTests
{
    private static readonly CacheKey KeyA = CacheKey.Create("a", "system", "model", 0f, 100);
    private static readonly CacheKey KeyB = CacheKey.Create("b", "system", "model", 0f, 100);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_factory_that_asks_for_its_own_key_gets_an_InvalidOperationException_instead_of_waiting_forever()
    {
        ExactMatchCache<string> cache = new();
        Exception? inner = null;

        Task<string> outer = cache.GetOrAddAsync(KeyA, cache, async (c, token) =>
        {
            await Task.Yield();
            try
            {
                return await c.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("inner"), token);
            }
            catch (InvalidOperationException exception)
            {
                inner = exception;
                return "outer";
            }
        }).AsTask();

        Assert.Equal("outer", await outer.WaitAsync(Timeout));
        Assert.NotNull(inner);
        Assert.Contains("inside the factory that is computing it", inner.Message, StringComparison.Ordinal);
        Assert.True(cache.TryGet(KeyA, out string? stored));
        Assert.Equal("outer", stored);
    }

    [Fact]
    public async Task A_re_entrant_factory_that_lets_the_exception_escape_fails_every_waiter_and_stores_nothing()
    {
        ExactMatchCache<string> cache = new();

        Task<string> outer = cache.GetOrAddAsync(KeyA, cache, async (c, token) =>
        {
            await Task.Yield();
            return await c.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("inner"), token);
        }).AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(() => outer.WaitAsync(Timeout));
        Assert.Equal(0, cache.Count);
        string next = await cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("fresh")).AsTask().WaitAsync(Timeout);
        Assert.Equal("fresh", next);
    }

    [Fact]
    public async Task A_cycle_through_another_key_in_the_same_flow_is_detected()
    {
        ExactMatchCache<string> cache = new();
        InvalidOperationException? caught = null;

        Task<string> a = cache.GetOrAddAsync(KeyA, cache, async (c, token) =>
        {
            await Task.Yield();
            return await c.GetOrAddAsync(KeyB, c, async (c2, token2) =>
            {
                await Task.Yield();
                try
                {
                    return await c2.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("never"), token2);
                }
                catch (InvalidOperationException exception)
                {
                    caught = exception;
                    return "b";
                }
            }, token);
        }).AsTask();

        Assert.Equal("b", await a.WaitAsync(Timeout));
        Assert.NotNull(caught);
    }

    [Fact]
    public async Task A_factory_may_ask_for_other_keys_and_waits_for_them_as_usual()
    {
        ExactMatchCache<string> cache = new();

        string a = await cache.GetOrAddAsync(KeyA, cache, async (c, token) =>
        {
            string b = await c.GetOrAddAsync(KeyB, 0, async (_, _) =>
            {
                await Task.Yield();
                return "b";
            }, token);
            return "a after " + b;
        }).AsTask().WaitAsync(Timeout);

        Assert.Equal("a after b", a);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Concurrent_callers_from_other_flows_still_join_a_call_in_progress()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> factory = async (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return await gate.Task;
        };

        Task<string>[] callers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(() => cache.GetOrAddAsync(KeyA, 0, factory).AsTask()))];
        await WaitUntil(() => calls == 1);
        gate.SetResult("shared");

        string[] results = await Task.WhenAll(callers).WaitAsync(Timeout);
        Assert.All(results, r => Assert.Equal("shared", r));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Invalidate_ends_a_hung_call_so_that_the_next_caller_starts_a_new_one()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> never = new();
        using CancellationTokenSource stuckCaller = new();
        Task<string> stuck = cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>(never.Task), stuckCaller.Token).AsTask();

        cache.Invalidate(KeyA);
        string next = await cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("fresh")).AsTask().WaitAsync(Timeout);

        Assert.Equal("fresh", next);
        Assert.False(stuck.IsCompleted);
        stuckCaller.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Clear_ends_every_hung_call()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> never = new();
        _ = cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>(never.Task)).AsTask();
        _ = cache.GetOrAddAsync(KeyB, 0, (_, _) => new ValueTask<string>(never.Task)).AsTask();

        cache.Clear();

        string a = await cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("a")).AsTask().WaitAsync(Timeout);
        string b = await cache.GetOrAddAsync(KeyB, 0, (_, _) => new ValueTask<string>("b")).AsTask().WaitAsync(Timeout);
        Assert.Equal(("a", "b"), (a, b));
    }

    [Fact]
    public async Task The_result_of_a_call_ended_by_Invalidate_reaches_its_waiters_but_is_not_stored()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> waiting = cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>(gate.Task)).AsTask();

        cache.Invalidate(KeyA);
        gate.SetResult("computed before the invalidation");

        Assert.Equal("computed before the invalidation", await waiting.WaitAsync(Timeout));
        Assert.False(cache.TryGet(KeyA, out _));
    }

    [Fact]
    public async Task A_call_ended_by_Invalidate_does_not_overwrite_the_value_its_successor_stored()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> old = cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>(gate.Task)).AsTask();
        cache.Invalidate(KeyA);
        await cache.GetOrAddAsync(KeyA, 0, (_, _) => new ValueTask<string>("new"));

        gate.SetResult("old");
        await old.WaitAsync(Timeout);

        Assert.True(cache.TryGet(KeyA, out string? stored));
        Assert.Equal("new", stored);
    }

    [Fact]
    public async Task Failures_racing_cancelled_callers_never_raise_UnobservedTaskException()
    {
        ExactMatchCache<string> cache = new(maxSize: 64);
        int unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x is SoakFailure))
            {
                Interlocked.Increment(ref unobserved);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            for (int i = 0; i < 4_000; i++)
            {
                CacheKey key = CacheKey.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "s", "m", 0f, 1);
                using CancellationTokenSource caller = new();
                TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
                Task<string> pending = cache.GetOrAddAsync(key, gate, static async (g, _) =>
                {
                    await g.Task.ConfigureAwait(false);
                    throw new SoakFailure();
                }, caller.Token).AsTask();

                // The factory fails while its only caller leaves.
                using Barrier start = new(2);
                Task release = Task.Run(() => { start.SignalAndWait(); gate.SetResult(); });
                start.SignalAndWait();
                caller.Cancel();
                await release;
                await Assert.ThrowsAnyAsync<Exception>(() => pending);
            }

            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }

        Assert.Equal(0, unobserved);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using CancellationTokenSource timeout = new(Timeout);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private sealed class SoakFailure : Exception
    {
        public SoakFailure()
            : base("the factory failed")
        {
        }
    }
}
