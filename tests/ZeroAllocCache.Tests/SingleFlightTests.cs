namespace ZeroAllocCache.Tests;

public class SingleFlightTests
{
    private static readonly CacheKey Key = CacheKey.Create("question", "system", "model", 0f, 100);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_hit_returns_the_stored_value_without_running_the_factory()
    {
        ExactMatchCache<string> cache = new();
        cache.Put(Key, "stored");
        int calls = 0;

        string value = await cache.GetOrAddAsync(Key, 0, (_, _) => { calls++; return new ValueTask<string>("computed"); });

        Assert.Equal("stored", value);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Many_concurrent_misses_on_one_key_run_the_factory_once_and_all_get_its_result()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> factory = async (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return await gate.Task;
        };

        Task<string>[] callers = [.. Enumerable.Range(0, 50).Select(_ => Task.Run(() => cache.GetOrAddAsync(Key, 0, factory).AsTask()))];
        await WaitUntil(() => Volatile.Read(ref calls) == 1);
        await Task.Delay(50); // let every caller reach the shared call
        gate.SetResult("answer");
        string[] results = await Task.WhenAll(callers).WaitAsync(Timeout);

        Assert.Equal(1, calls);
        Assert.All(results, r => Assert.Equal("answer", r));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task The_value_is_stored_before_any_waiter_resumes()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, CancellationToken, ValueTask<string>> factory = async (_, _) => await gate.Task;

        Task<bool> first = Observe();
        Task<bool> second = Observe();
        gate.SetResult("answer");

        Assert.True(await first.WaitAsync(Timeout));
        Assert.True(await second.WaitAsync(Timeout));

        async Task<bool> Observe()
        {
            await cache.GetOrAddAsync(Key, 0, factory);
            return cache.TryGet(Key, out string? stored) && stored == "answer";
        }
    }

    [Fact]
    public async Task A_factory_exception_reaches_every_waiter_and_is_not_stored()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> failing = async (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return await gate.Task;
        };

        Task<string> first = cache.GetOrAddAsync(Key, 0, failing).AsTask();
        Task<string> second = cache.GetOrAddAsync(Key, 0, failing).AsTask();
        gate.SetException(new InvalidOperationException("model unavailable"));

        Assert.Equal("model unavailable", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        Assert.Equal("model unavailable", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message);
        Assert.Equal(1, calls);
        Assert.Equal(0, cache.Count);

        string retried = await cache.GetOrAddAsync(Key, 0, (_, _) => new ValueTask<string>("recovered"));
        Assert.Equal("recovered", retried);
    }

    [Fact]
    public async Task A_factory_that_throws_synchronously_is_not_stored_and_runs_again_next_time()
    {
        ExactMatchCache<string> cache = new();
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> throwing = (_, _) =>
        {
            calls++;
            throw new InvalidOperationException("bad request");
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrAddAsync(Key, 0, throwing).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrAddAsync(Key, 0, throwing).AsTask());

        Assert.Equal(2, calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_cancelled_factory_is_not_stored_and_runs_again_next_time()
    {
        ExactMatchCache<string> cache = new();
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> cancelled = (_, _) =>
        {
            calls++;
            return ValueTask.FromCanceled<string>(new CancellationToken(canceled: true));
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetOrAddAsync(Key, 0, cancelled).AsTask());
        string value = await cache.GetOrAddAsync(Key, 0, (_, _) => new ValueTask<string>("answer"));

        Assert.Equal(1, calls);
        Assert.Equal("answer", value);
    }

    [Fact]
    public async Task A_waiters_cancellation_ends_only_its_own_wait()
    {
        ExactMatchCache<string> cache = new();
        TaskCompletionSource<string> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken factoryToken = default;
        Func<int, CancellationToken, ValueTask<string>> factory = async (_, token) =>
        {
            factoryToken = token;
            return await gate.Task;
        };
        using CancellationTokenSource leaving = new();

        Task<string> starter = cache.GetOrAddAsync(Key, 0, factory, leaving.Token).AsTask();
        Task<string> staying = cache.GetOrAddAsync(Key, 0, factory).AsTask();
        leaving.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter.WaitAsync(Timeout));
        Assert.False(factoryToken.IsCancellationRequested);
        gate.SetResult("answer");
        Assert.Equal("answer", await staying.WaitAsync(Timeout));
        Assert.True(cache.TryGet(Key, out _));
    }

    [Fact]
    public async Task When_every_waiter_is_cancelled_the_factory_is_cancelled_and_the_next_call_starts_afresh()
    {
        ExactMatchCache<string> cache = new();
        CancellationToken factoryToken = default;
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> slow = async (_, token) =>
        {
            Interlocked.Increment(ref calls);
            factoryToken = token;
            await Task.Delay(System.Threading.Timeout.Infinite, token);
            return "never";
        };
        using CancellationTokenSource first = new();
        using CancellationTokenSource second = new();

        Task<string> a = cache.GetOrAddAsync(Key, 0, slow, first.Token).AsTask();
        Task<string> b = cache.GetOrAddAsync(Key, 0, slow, second.Token).AsTask();
        first.Cancel();
        Assert.False(factoryToken.IsCancellationRequested); // one caller is still waiting
        second.Cancel();

        // A caller's wait ends only after it has left the call, so once both have ended the call is abandoned.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.WaitAsync(Timeout));
        Assert.True(factoryToken.IsCancellationRequested);

        string value = await cache.GetOrAddAsync(Key, 0, (_, _) => new ValueTask<string>("fresh")).AsTask().WaitAsync(Timeout);
        Assert.Equal("fresh", value);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task An_already_cancelled_caller_on_a_miss_does_not_run_the_factory()
    {
        ExactMatchCache<string> cache = new();
        int calls = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetOrAddAsync(
            Key, 0, (_, _) => { calls++; return new ValueTask<string>("x"); }, new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(0, calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Different_keys_do_not_share_a_call()
    {
        ExactMatchCache<string> cache = new();
        CacheKey other = CacheKey.Create("other", "system", "model", 0f, 100);
        int calls = 0;
        Func<string, CancellationToken, ValueTask<string>> factory = async (state, _) =>
        {
            Interlocked.Increment(ref calls);
            await Task.Yield();
            return state;
        };

        string[] results = await Task.WhenAll(
            cache.GetOrAddAsync(Key, "first", factory).AsTask(),
            cache.GetOrAddAsync(other, "second", factory).AsTask());

        Assert.Equal(["first", "second"], results);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task The_state_argument_reaches_the_factory()
    {
        ExactMatchCache<string> cache = new();

        string value = await cache.GetOrAddAsync(Key, ("a", 1), static (state, _) => new ValueTask<string>($"{state.Item1}{state.Item2}"));

        Assert.Equal("a1", value);
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
