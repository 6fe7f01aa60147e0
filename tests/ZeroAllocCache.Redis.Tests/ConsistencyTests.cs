using System.Diagnostics;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Redis.Tests;

/// <summary>Three replicas on one Redis: what one replaces, invalidates or clears leaves the others' memory.</summary>
public sealed class ConsistencyTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // What a message may take to reach another replica here: long, for a CI machine under load; a wait ends as soon as
    // its condition holds, so a passing run is no slower for it.
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    // The fleet-wide consistency issue's bound for an invalidation to reach the other replicas.
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task An_invalidation_on_one_replica_leaves_the_other_two_within_a_second()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(3);
        await replicas[0].PutAsync(Key("q"), "old answer");
        foreach (ExactMatchCache<string> replica in replicas)
        {
            Assert.True((await replica.TryGetAsync(Key("q"))).Found); // now every replica holds it in memory
        }

        await replicas[0].InvalidateAsync(Key("q"));

        await WithinAsync(WithinASecond, () => !replicas[1].TryGet(Key("q"), out _) && !replicas[2].TryGet(Key("q"), out _));
        Assert.False((await replicas[1].TryGetAsync(Key("q"))).Found);
        Assert.False((await replicas[2].TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task An_invalidation_in_a_partition_leaves_only_that_partitions_entry_on_the_other_replicas()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        await replicas[0].PutAsync(Key("q"), "own");
        await replicas[0].Partition("a").PutAsync(Key("q"), "A");
        await replicas[0].Partition("b").PutAsync(Key("q"), "B");

        // The three puts' messages first, or one arriving late would empty what the reads below put in memory.
        await WithinAsync(TimeSpan.FromSeconds(5), () => replicas[1].Stats.BackplaneMessagesReceived >= 3);
        Assert.True((await replicas[1].TryGetAsync(Key("q"))).Found);
        Assert.True((await replicas[1].Partition("a").TryGetAsync(Key("q"))).Found);
        Assert.True((await replicas[1].Partition("b").TryGetAsync(Key("q"))).Found);

        // The message of the invalidation, once applied (the count moves after its effect), is all there is to wait for.
        long received = replicas[1].Stats.BackplaneMessagesReceived;
        await replicas[0].Partition("a").InvalidateAsync(Key("q"));

        await WithinAsync(Soon, () => replicas[1].Stats.BackplaneMessagesReceived > received);
        Assert.False(replicas[1].Partition("a").TryGet(Key("q"), out _));
        Assert.True(replicas[1].Partition("b").TryGet(Key("q"), out _));
        Assert.True(replicas[1].TryGet(Key("q"), out _));
    }

    [Fact]
    public async Task Another_partitions_computation_of_the_same_request_is_not_waited_for()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);
        TaskCompletionSource holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> slow = replicas[0].Partition("a").GetOrAddAsync(Key("q"), 0, async (_, _) =>
        {
            holding.SetResult(); // the factory runs once replica 0 holds partition a's lock on the key
            await release.Task;
            return "A";
        }).AsTask();
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Stopwatch waited = Stopwatch.StartNew();
        string b = await replicas[1].Partition("b").GetOrAddAsync(Key("q"), 0, static (_, _) => ValueTask.FromResult("B"));
        waited.Stop();
        release.SetResult();

        Assert.Equal("B", b);
        Assert.Equal("A", await slow);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"waited {waited.Elapsed} for another partition's lock (lock timeout 30 s)");
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    public async Task Under_a_lock_free_policy_an_invalidation_still_leaves_the_other_replica_and_a_value_still_crosses_the_store(CacheEvictionPolicy policy)
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2, o => o.EvictionPolicy = policy);
        await replicas[0].PutAsync(Key("q"), "answer");
        await WithinAsync(TimeSpan.FromSeconds(5), () => replicas[1].Stats.BackplaneMessagesReceived >= 1); // the put's own message first
        Assert.Equal("answer", (await replicas[1].TryGetAsync(Key("q"))).Value);
        Assert.True(replicas[1].TryGet(Key("q"), out _)); // in memory now: a lock-free hit

        await replicas[0].InvalidateAsync(Key("q"));

        await WithinAsync(Soon, () => !replicas[1].TryGet(Key("q"), out _));
        Assert.False((await replicas[1].TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task A_removal_the_store_refused_is_announced_again_once_replayed_so_no_replica_keeps_the_old_value()
    {
        await using Fleet fleet = new(redis);
        HeldStore store = fleet.NewHeldStore(Key("q"));
        ExactMatchCache<string> invalidating = fleet.Replica(o =>
        {
            o.DistributedCache = store;
            o.DistributedRetryAfter = TimeSpan.FromMilliseconds(50);
        });
        ExactMatchCache<string> other = fleet.Replica();
        await invalidating.PutAsync(Key("q"), "old");

        store.FailRemovals = true;
        await invalidating.InvalidateAsync(Key("q")); // given up and announced, though the store still has the old value
        await WithinAsync(Soon, () => other.Stats.BackplaneMessagesReceived >= 2);
        Assert.Equal("old", (await other.TryGetAsync(Key("q"))).Value); // read back into the other's memory

        store.FailRemovals = false;
        await WithinAsync(Soon, async () =>
        {
            _ = await invalidating.TryGetAsync(Key("poke")); // a healthy read replays the removal
            return !other.TryGet(Key("q"), out _);
        });
        Assert.False((await other.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task A_new_value_put_on_one_replica_is_what_the_others_return()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(3);
        await replicas[0].PutAsync(Key("q"), "v1");
        Assert.Equal("v1", (await replicas[1].TryGetAsync(Key("q"))).Value);
        Assert.Equal("v1", (await replicas[2].TryGetAsync(Key("q"))).Value);

        await replicas[0].PutAsync(Key("q"), "v2");

        await WithinAsync(Soon, async () => (await replicas[1].TryGetAsync(Key("q"))).Value == "v2"
            && (await replicas[2].TryGetAsync(Key("q"))).Value == "v2");
    }

    [Fact]
    public async Task After_ClearAsync_on_one_replica_no_replica_returns_an_old_entry()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(3);
        await replicas[0].PutAsync(Key("a"), "old a");
        await replicas[0].PutAsync(Key("b"), "old b");
        foreach (ExactMatchCache<string> replica in replicas)
        {
            Assert.True((await replica.TryGetAsync(Key("a"))).Found);
            Assert.True((await replica.TryGetAsync(Key("b"))).Found);
        }

        await replicas[0].ClearAsync();

        await WithinAsync(Soon, async () =>
        {
            foreach (ExactMatchCache<string> replica in replicas)
            {
                if ((await replica.TryGetAsync(Key("a"))).Found || (await replica.TryGetAsync(Key("b"))).Found)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Fact]
    public async Task A_replica_ignores_its_own_messages()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string>[] replicas = fleet.Replicas(2);

        await replicas[0].PutAsync(Key("q"), "mine");
        await WithinAsync(Soon, () => replicas[1].Stats.BackplaneMessagesReceived == 1);

        Assert.True(replicas[0].TryGet(Key("q"), out string? kept));
        Assert.Equal("mine", kept);
        Assert.Equal(0, replicas[0].Stats.BackplaneMessagesReceived);
    }

    [Fact]
    public async Task Caches_of_other_names_on_the_same_channel_do_not_disturb_each_other()
    {
        await using Fleet chat = new(redis, "chat-" + Guid.NewGuid().ToString("N"));
        await using Fleet summaries = new(redis, "summaries-" + Guid.NewGuid().ToString("N"));
        ExactMatchCache<string> chatReplica = chat.Replica();
        ExactMatchCache<string> otherChatReplica = chat.Replica();
        ExactMatchCache<string> summariesReplica = summaries.Replica();
        summariesReplica.Put(Key("q"), "a summary");

        await chatReplica.InvalidateAsync(Key("q"));
        await WithinAsync(Soon, () => otherChatReplica.Stats.BackplaneMessagesReceived == 1);

        Assert.True(summariesReplica.TryGet(Key("q"), out _));
        Assert.Equal(0, summariesReplica.Stats.BackplaneMessagesReceived);
    }

    [Fact]
    public async Task Without_a_distributed_level_an_invalidation_still_reaches_every_replica()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string> first = fleet.Replica(distributed: false);
        ExactMatchCache<string> second = fleet.Replica(distributed: false);
        second.Put(Key("q"), "stale");

        await first.InvalidateAsync(Key("q"));

        await WithinAsync(Soon, () => !second.TryGet(Key("q"), out _));
    }

    [Fact]
    public async Task A_memory_hit_with_a_backplane_attached_allocates_nothing()
    {
        await using Fleet fleet = new(redis);
        ExactMatchCache<string> cache = fleet.Replica();
        await cache.PutAsync(Key("q"), "answer");
        for (int i = 0; i < 1_000; i++)
        {
            _ = cache.TryGet(Key("q"), out _);
        }

        long least = long.MaxValue;
        for (int round = 0; round < 5 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                if (!cache.TryGet(Key("q"), out _))
                {
                    throw new InvalidOperationException("Expected a hit.");
                }
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    private static Task WithinAsync(TimeSpan limit, Func<bool> condition) => WithinAsync(limit, () => Task.FromResult(condition()));

    private static async Task WithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < limit, $"Not within {limit}.");
            await Task.Delay(10);
        }
    }
}
