using System.Diagnostics;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Redis.Tests;

/// <summary>One model call per key across the fleet: a Redis lock, waiters told through the backplane, and no hang.</summary>
public sealed class FleetSingleFlightTests
{
    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task Three_replicas_with_twenty_callers_each_for_one_new_key_make_exactly_one_factory_call()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(3);
        int calls = 0;
        Func<int, CancellationToken, ValueTask<string>> slowModel = async (_, ct) =>
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(200, ct);
            return "the one answer";
        };
        TaskCompletionSource start = new(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<string>[] callers = [.. replicas.SelectMany(replica => Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await replica.GetOrAddAsync(Key("new"), 0, slowModel);
        })))];
        start.SetResult();
        string[] answers = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.All(answers, a => Assert.Equal("the one answer", a));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_replica_that_waited_for_another_replicas_value_keeps_it_in_memory()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        TaskCompletionSource<string> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> holder = await HoldTheLockAsync(replicas[0], answer.Task);
        Task<string> waiting = replicas[1].GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("computed here")).AsTask();
        await WithinAsync(TimeSpan.FromSeconds(10), () => replicas[1].FleetWaitingKeys == 1);

        answer.SetResult("the holder's answer");
        Assert.Equal("the holder's answer", await holder);
        Assert.Equal("the holder's answer", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.True(replicas[1].TryGet(Key("q"), out string? kept)); // the next request is a memory hit, not a store read
        Assert.Equal("the holder's answer", kept);
    }

    [Fact]
    public async Task A_failed_factory_releases_the_lock_and_another_replica_tries_again_at_once()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        TaskCompletionSource<string> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> failing = await HoldTheLockAsync(replicas[0], answer.Task);
        Task<string> waiting = replicas[1].GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("second try")).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted); // it waits for the holder rather than calling its own model

        Stopwatch afterFailure = Stopwatch.StartNew();
        answer.SetException(new InvalidOperationException("the model failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("second try", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(afterFailure.Elapsed < TimeSpan.FromSeconds(10), $"The waiter took {afterFailure.Elapsed} after the lock was released (lock timeout 30 s).");
    }

    [Fact]
    public async Task A_wait_on_a_holder_that_failed_leaves_nothing_behind_once_the_waiter_has_its_value()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        TaskCompletionSource<string> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> failing = await HoldTheLockAsync(replicas[0], answer.Task);
        Task<string> waiting = replicas[1].GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("second try")).AsTask();
        await WithinAsync(TimeSpan.FromSeconds(10), () => replicas[1].FleetWaitingKeys == 1);

        answer.SetException(new InvalidOperationException("the model failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("second try", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(0, replicas[1].FleetWaitingKeys);
    }

    [Fact]
    public async Task A_lock_granted_after_the_wait_for_it_gave_up_is_released_at_once()
    {
        using RedisServer redis = new();

        // A timeout of one tick: every wait gives up before Redis answers (the store's read, then the lock's), and
        // Redis grants the lock all the same.
        await using Fleet fleet = new(redis) { DistributedTimeout = TimeSpan.FromTicks(1) };
        ExactMatchCache<string> replica = fleet.Replica();

        Assert.Equal("computed", await replica.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")));

        // Granted, then released: nothing holds the key for the 30 s of its expiry.
        await WithinAsync(TimeSpan.FromSeconds(10), () => redis.CallsOf("set") >= 1 && redis.Command("KEYS", "*:lock:*") == "");
    }

    [Fact]
    public async Task A_cancelled_factory_releases_the_lock_and_another_replica_tries_again_at_once()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        TaskCompletionSource holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenSource leave = new();

        Task<string> cancelled = replicas[0].GetOrAddAsync(Key("q"), 0, async (_, ct) =>
        {
            holding.SetResult();
            await Task.Delay(Timeout.Infinite, ct); // a model call that only ends when its caller leaves
            return "never";
        }, leave.Token).AsTask();
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task<string> waiting = replicas[1].GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("second try")).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted); // it waits for the holder rather than calling its own model

        Stopwatch afterCancel = Stopwatch.StartNew();
        await leave.CancelAsync(); // the only caller leaves: the factory's token is cancelled, and the lock released
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("second try", await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(afterCancel.Elapsed < TimeSpan.FromSeconds(10), $"The waiter took {afterCancel.Elapsed} after the lock was released (lock timeout 30 s).");
        Assert.False(replicas[0].TryGet(Key("q"), out _)); // the cancellation stored nothing
    }

    [Fact]
    public async Task A_holder_whose_callers_all_leave_while_it_reads_the_store_releases_the_lock_at_once()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        HeldStore store = fleet.NewHeldStore(Key("q"));
        ExactMatchCache<string> holder = fleet.Replica(o => o.DistributedCache = store);
        ExactMatchCache<string> next = fleet.Replica();
        using CancellationTokenSource leave = new();

        // The holder's second read of the key is the one after it took the lock; it is held while every caller leaves.
        store.HoldNextRead(skipped: 1);
        Task<string> abandoned = holder.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("never"), leave.Token).AsTask();
        await store.Read.WaitAsync(TimeSpan.FromSeconds(10));
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        store.ReleaseRead();

        Stopwatch waited = Stopwatch.StartNew();
        Assert.Equal("computed", await next.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"The next replica waited {waited.Elapsed} for a lock nobody held (lock timeout 30 s).");
    }

    [Fact]
    public async Task With_Redis_killed_while_replicas_wait_on_a_lock_every_caller_still_gets_a_value_in_bounded_time()
    {
        using RedisServer redis = new();
        // A short store timeout: how long a call to the dead server may take is part of the bound below.
        await using Fleet fleet = new(redis) { DistributedTimeout = TimeSpan.FromMilliseconds(500), DistributedLockTimeout = TimeSpan.FromSeconds(3) };
        ExactMatchCache<string>[] replicas = fleet.Replicas(3);
        TaskCompletionSource holderStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TimeSpan factoryTime = TimeSpan.FromMilliseconds(200);

        Task<string> holder = replicas[0].GetOrAddAsync(Key("q"), 0, async (_, ct) =>
        {
            holderStarted.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            return "from the holder";
        }).AsTask();
        await holderStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Stopwatch waited = Stopwatch.StartNew();
        Task<string>[] waiters = [.. replicas.Skip(1).SelectMany(replica => Enumerable.Range(0, 5).Select(_ => replica.GetOrAddAsync(Key("q"), 0, async (_, ct) =>
        {
            await Task.Delay(factoryTime, ct);
            return "computed here";
        }).AsTask()))];
        await Task.Delay(200);
        redis.Kill();

        string[] answers = await Task.WhenAll(waiters.Append(holder)).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.All(answers, a => Assert.True(a is "from the holder" or "computed here", a));
        // The lock timeout plus the factory, with room for the store's own timeouts on a loaded machine.
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(3) + factoryTime + TimeSpan.FromSeconds(2), $"The waiters took {waited.Elapsed}.");
    }

    [Fact]
    public async Task A_dropped_connection_drops_memory_once_and_then_messages_are_followed_again()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        ExactMatchCache<string> first = fleet.Replica();
        ExactMatchCache<string> second = fleet.Replica();
        await first.PutAsync(Key("kept"), "answer");
        Assert.True((await second.TryGetAsync(Key("kept"))).Found);

        redis.Command("CLIENT", "KILL", "TYPE", "pubsub");
        await WithinAsync(TimeSpan.FromSeconds(15), () => second.Stats.BackplaneResyncs >= 1);

        Assert.Equal(1, second.Stats.BackplaneResyncs);
        Assert.False(second.TryGet(Key("kept"), out _)); // memory was dropped...
        Assert.True((await second.TryGetAsync(Key("kept"))).Found); // ...and refills from the store

        await WithinAsync(TimeSpan.FromSeconds(10), async () =>
        {
            await first.InvalidateAsync(Key("kept"));
            return !second.TryGet(Key("kept"), out _);
        });
    }

    [Fact]
    public async Task A_replica_started_while_Redis_is_down_hears_each_message_once_it_is_back()
    {
        using RedisServer redis = new();
        await using Fleet fleet = new(redis);
        redis.Kill();
        ExactMatchCache<string> late = fleet.Replica(distributed: false);
        redis.Start();
        ExactMatchCache<string> sender = fleet.Replica(distributed: false);

        // Messages sent before the late replica's subscription is made are lost (and answered by a resync): send until one arrives.
        await WithinAsync(TimeSpan.FromSeconds(20), async () =>
        {
            late.Put(Key("q"), "stale");
            await sender.InvalidateAsync(Key("q"));
            await Task.Delay(50);
            return late.Stats.BackplaneMessagesReceived > 0;
        });
        long before = late.Stats.BackplaneMessagesReceived;
        late.Put(Key("once"), "stale");
        await sender.InvalidateAsync(Key("once"));
        await WithinAsync(TimeSpan.FromSeconds(10), () => !late.TryGet(Key("once"), out _));
        await Task.Delay(200); // room for a second delivery of the same message, were there one

        Assert.Equal(before + 1, late.Stats.BackplaneMessagesReceived);
    }

    // Starts a call on the replica whose model answers (or fails) when answer does; returns it once it holds the lock.
    private static async Task<Task<string>> HoldTheLockAsync(ExactMatchCache<string> replica, Task<string> answer)
    {
        TaskCompletionSource holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> call = replica.GetOrAddAsync(Key("q"), answer, async (model, _) =>
        {
            holding.SetResult(); // the factory runs once the replica holds the key's lock
            return await model;
        }).AsTask();
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return call;
    }

    private static Task WithinAsync(TimeSpan limit, Func<bool> condition) => WithinAsync(limit, () => Task.FromResult(condition()));

    private static async Task WithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < limit, $"Not within {limit}.");
            await Task.Delay(25);
        }
    }
}
