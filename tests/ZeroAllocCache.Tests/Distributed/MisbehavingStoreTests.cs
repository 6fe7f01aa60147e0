using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>
/// A real Redis behind a client that throws, refuses writes or refuses removals: the caller still gets a value and no
/// exception, no write is lost to the cache's own bookkeeping, and nothing older than what the cache knows is left in
/// the store once it takes writes again.
/// </summary>
public sealed class MisbehavingStoreTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task A_client_that_throws_on_a_read_gives_a_miss_that_is_counted_and_never_thrown()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"));
        store.ThrowOnReads = true;

        Assert.False((await cache.TryGetAsync(Key("q"))).Found);
        Assert.Equal("computed", await cache.GetOrAddAsync(Key("other"), 0, static (_, _) => new ValueTask<string>("computed")));
        Assert.True(cache.Stats.DistributedErrors >= 1);
    }

    [Fact]
    public async Task Reads_while_a_removal_waits_for_its_replay_queue_one_replay_and_drop_no_write()
    {
        await using RedisReplicas replicas = new(redis);
        // A store skipped for only 10 ms after each failure, whose removals hang until they time out: between those
        // timeouts reads find it healthy, and each finds the removal still waiting for its replay.
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"), o =>
        {
            o.DistributedWriteQueueSize = 8;
            o.DistributedRetryAfter = TimeSpan.FromMilliseconds(10);
        });
        store.HoldRemovals();
        try
        {
            await cache.InvalidateAsync(Key("q"));
            await WaitUntil(() => cache.Stats.DistributedWritesDropped == 1); // given up after its attempts

            for (int i = 0; i < 200; i++)
            {
                _ = await cache.TryGetAsync(Key("read " + i));
            }

            cache.Put(Key("a write after the reads"), "kept");

            Assert.Equal(1, cache.Stats.DistributedWritesDropped);
        }
        finally
        {
            store.ReleaseRemovals();
        }
    }

    [Fact]
    public async Task A_set_the_store_refused_leaves_no_older_value_there_once_the_store_takes_writes_again()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"));
        ExactMatchCache<string> other = replicas.Replica<string>();
        await cache.PutAsync(Key("q"), "v1");

        store.FailSets = true;
        await cache.PutAsync(Key("q"), "v2"); // not acknowledged: v1 is still in the store
        await WaitUntil(() => cache.Stats.DistributedWritesDropped == 1);
        store.FailSets = false;

        // A healthy read replays what the lost set left to do: the removal of v1.
        await WaitUntilAsync(async () =>
        {
            _ = await cache.TryGetAsync(Key("poke"));
            return redis.Command("EXISTS", replicas.StoreKey(Key("q"))) == "0";
        });
        Assert.False((await other.TryGetAsync(Key("q"))).Found);
        Assert.True(cache.TryGet(Key("q"), out string? kept));
        Assert.Equal("v2", kept);
    }

    [Fact]
    public async Task Once_DisposeAsync_has_given_up_its_flush_the_cache_calls_the_store_no_more()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"), o => o.DistributedTimeout = TimeSpan.FromMilliseconds(250));
        store.HoldRemovals(); // each removal hangs until it times out, three times: the queue outlasts the flush
        for (int i = 0; i < 10; i++)
        {
            cache.Invalidate(Key("q" + i));
        }

        await cache.DisposeAsync(); // gives up after 5 s
        int removals = store.Removals;
        await Task.Delay(TimeSpan.FromSeconds(2)); // a worker still running would try the next removal within 0.6 s

        Assert.Equal(removals, store.Removals);
        store.ReleaseRemovals();
    }

    [Fact]
    public async Task Writes_queued_behind_a_failure_are_tried_once_the_store_is_worth_calling_again_not_given_up()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"), o => o.DistributedRetryAfter = TimeSpan.FromSeconds(1));
        store.FailRemovals = true;
        for (int i = 0; i < 5; i++)
        {
            cache.Invalidate(Key("q" + i));
        }

        await WaitUntil(() => store.Removals >= 1);
        store.FailRemovals = false;
        await cache.PutAsync(Key("after them"), "v"); // completes once every write before it is done

        Assert.Equal(0, cache.Stats.DistributedWritesDropped);
    }

    [Fact]
    public async Task An_invalidation_dropped_while_an_older_set_of_the_key_was_retried_still_removes_it_from_the_store()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"), o =>
        {
            o.DistributedWriteQueueSize = 2;
            o.DistributedRetryAfter = TimeSpan.FromSeconds(1);
        });
        ExactMatchCache<string> other = replicas.Replica<string>();
        store.FailSets = true;
        cache.Put(Key("q"), "old");
        await WaitUntil(() => store.EntrySets >= 1); // the worker holds the set, and retries it in a second

        cache.Invalidate(Key("q"));
        cache.Put(Key("a"), "a");
        cache.Put(Key("b"), "b"); // the queue holds two: the invalidation, the oldest, is dropped
        Assert.Equal(1, cache.Stats.DistributedWritesDropped);
        store.FailSets = false;

        // The set lands first, then the invalidation's replay, which came after it.
        await WaitUntilAsync(async () =>
        {
            _ = await cache.TryGetAsync(Key("poke"));
            return store.EntrySets >= 2 && redis.Command("EXISTS", replicas.StoreKey(Key("q"))) == "0";
        });
        await cache.PutAsync(Key("flush"), "done");
        Assert.Equal("0", redis.Command("EXISTS", replicas.StoreKey(Key("q"))));
        Assert.False((await other.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task Reads_of_a_key_whose_removal_waits_for_a_replay_are_what_replays_it()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = Replica(replicas, Key("q"), o => o.DistributedRetryAfter = TimeSpan.FromMilliseconds(50));
        await cache.PutAsync(Key("q"), "old");
        store.FailRemovals = true;
        await cache.InvalidateAsync(Key("q")); // given up: waits for a replay
        store.FailRemovals = false;

        await WaitUntilAsync(async () =>
        {
            Assert.False((await cache.TryGetAsync(Key("q"))).Found); // the only key read
            return redis.Command("EXISTS", replicas.StoreKey(Key("q"))) == "0";
        });
    }

    [Fact]
    public async Task A_clear_replayed_after_an_outage_does_not_undo_a_newer_clear_of_another_replica()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> late, HeldStore store) = Replica(replicas, Key("q"), o => o.DistributedClearCheckInterval = TimeSpan.Zero);
        ExactMatchCache<string> other = replicas.Replica<string>();

        store.FailSets = true;
        await late.ClearAsync(); // not acknowledged: the clear waits for a replay
        await WaitUntil(() => late.Stats.DistributedWritesDropped == 1);
        await Task.Delay(20);
        await other.PutAsync(Key("between"), "stored after the first clear, before the second");
        await Task.Delay(20);
        await other.ClearAsync();

        store.FailSets = false;
        int markerWrites = store.PlainSets;
        await WaitUntilAsync(async () =>
        {
            _ = await late.TryGetAsync(Key("poke")); // reads the newer marker, and replays its own clear
            return store.PlainSets > markerWrites;
        });
        await late.PutAsync(Key("flush"), "the replay is done once this write is");

        ExactMatchCache<string> fresh = replicas.Replica<string>(o => o.DistributedClearCheckInterval = TimeSpan.Zero);
        Assert.False((await fresh.TryGetAsync(Key("between"))).Found);
    }

    private static (ExactMatchCache<string> Cache, HeldStore Store) Replica(RedisReplicas replicas, in CacheKey heldKey, Action<ExactMatchCacheOptions<string>>? configure = null)
    {
        HeldStore store = new(replicas.NewStore(), replicas.StoreKey(heldKey));
        ExactMatchCache<string> cache = replicas.Replica<string>(o =>
        {
            o.DistributedCache = store;
            o.DistributedTimeout = TimeSpan.FromMilliseconds(500);
            configure?.Invoke(o);
        });
        return (cache, store);
    }

    private static async Task WaitUntil(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using CancellationTokenSource timeout = new(Timeout);
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
