using Microsoft.Extensions.Time.Testing;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>Two replicas sharing one real Redis: what one stores, the other finds; TTL, clears and writes carry over.</summary>
public sealed class TwoLevelTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task A_value_produced_on_one_replica_is_a_hit_on_the_other_without_a_factory_call()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();
        int calls = 0;
        Func<string, CancellationToken, ValueTask<string>> factory = (q, _) => { Interlocked.Increment(ref calls); return new ValueTask<string>("answer to " + q); };

        string produced = await first.GetOrAddAsync(Key("q"), "q", factory);
        await first.DisposeAsync(); // flushes the background write
        string found = await second.GetOrAddAsync(Key("q"), "q", factory);

        Assert.Equal(produced, found);
        Assert.Equal(1, calls);
        Assert.Equal(1, second.Stats.DistributedHits);
        Assert.True(second.TryGet(Key("q"), out string? inMemory));
        Assert.Equal("answer to q", inMemory);
    }

    [Fact]
    public async Task PutAsync_completes_when_the_store_has_the_entry()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();

        await first.PutAsync(Key("q"), "stored");
        CacheLookup<string> lookup = await second.TryGetAsync(Key("q"));

        Assert.True(lookup.Found);
        Assert.Equal("stored", lookup.Value);
        Assert.Equal("1", redis.Command("EXISTS", replicas.StoreKey(Key("q"))));
    }

    [Fact]
    public async Task TryGetAsync_answers_a_memory_hit_synchronously_and_misses_without_the_store_when_it_has_nothing()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>();
        cache.Put(Key("q"), "in memory");

        ValueTask<CacheLookup<string>> hit = cache.TryGetAsync(Key("q"));
        bool completedSynchronously = hit.IsCompletedSuccessfully;
        CacheLookup<string> found = await hit;
        CacheLookup<string> miss = await cache.TryGetAsync(Key("absent"));

        Assert.True(completedSynchronously);
        Assert.Equal(new CacheLookup<string>(true, "in memory"), found);
        Assert.False(miss.Found);
        Assert.Equal(1, cache.Stats.DistributedMisses);
    }

    [Fact]
    public async Task The_TTL_travels_with_the_entry_and_the_other_replica_keeps_only_what_remains_of_it()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>(o => { o.Ttl = TimeSpan.FromMinutes(10); o.TimeProvider = clock; });
        ExactMatchCache<string> second = replicas.Replica<string>(o => { o.Ttl = TimeSpan.FromMinutes(10); o.TimeProvider = clock; });
        await first.PutAsync(Key("q"), "answer");

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True((await second.TryGetAsync(Key("q"))).Found);
        Assert.True(second.TryGetEntryInfo(Key("q"), out CacheEntryInfo info));
        Assert.Equal(TimeSpan.FromMinutes(4), info.Age);

        clock.Advance(TimeSpan.FromMinutes(7));
        Assert.False(second.TryGet(Key("q"), out _));
        Assert.False((await second.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task The_entry_in_the_store_expires_when_the_TTL_says()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.Ttl = TimeSpan.FromMinutes(10));

        await cache.PutAsync(Key("q"), "answer");

        long ttlSeconds = long.Parse(redis.Command("TTL", replicas.StoreKey(Key("q"))), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttlSeconds, 590, 600);
    }

    [Fact]
    public async Task ClearAsync_on_one_replica_hides_every_older_entry_from_the_others_reads()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();
        await first.PutAsync(Key("a"), "old a");
        await first.PutAsync(Key("b"), "old b");

        await first.ClearAsync();

        Assert.False((await second.TryGetAsync(Key("a"))).Found);
        Assert.False((await second.TryGetAsync(Key("b"))).Found);
        Assert.False((await first.TryGetAsync(Key("a"))).Found);
        await first.PutAsync(Key("a"), "new a");
        Assert.Equal(new CacheLookup<string>(true, "new a"), await second.TryGetAsync(Key("a")));
    }

    [Fact]
    public async Task Clear_leaves_the_distributed_level_as_it_is()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>();
        await cache.PutAsync(Key("q"), "answer");

        cache.Clear();

        Assert.False(cache.TryGet(Key("q"), out _));
        Assert.True((await cache.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task InvalidateAsync_removes_the_entry_from_both_levels()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();
        await first.PutAsync(Key("q"), "answer");

        Assert.True(await first.InvalidateAsync(Key("q")));

        Assert.Equal("0", redis.Command("EXISTS", replicas.StoreKey(Key("q"))));
        Assert.False((await second.TryGetAsync(Key("q"))).Found);
        Assert.False(await first.InvalidateAsync(Key("q")));
    }

    [Fact]
    public async Task Put_and_Invalidate_reach_the_store_in_the_background_and_in_order()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();

        first.Put(Key("kept"), "v1");
        first.Put(Key("kept"), "v2");
        first.Put(Key("removed"), "x");
        first.Invalidate(Key("removed"));
        await first.DisposeAsync();

        Assert.Equal(new CacheLookup<string>(true, "v2"), await second.TryGetAsync(Key("kept")));
        Assert.False((await second.TryGetAsync(Key("removed"))).Found);
    }

    [Fact]
    public async Task DisposeAsync_flushes_every_queued_write()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> writer = replicas.Replica<string>(o => o.MaxSize = 0);
        for (int i = 0; i < 300; i++)
        {
            writer.Put(Key("q" + i), "answer " + i);
        }

        await writer.DisposeAsync();

        ExactMatchCache<string> reader = replicas.Replica<string>(o => o.MaxSize = 0);
        for (int i = 0; i < 300; i++)
        {
            Assert.Equal(new CacheLookup<string>(true, "answer " + i), await reader.TryGetAsync(Key("q" + i)));
        }

        Assert.Equal(0, writer.Stats.DistributedWritesDropped);
    }

    [Fact]
    public async Task Concurrent_misses_on_one_key_make_one_store_read_and_one_factory_call()
    {
        await using RedisReplicas replicas = new(redis);
        // The clear marker, read by the warm-up below, trusted for the rest of the test however slowly the machine runs.
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.DistributedClearCheckInterval = TimeSpan.FromHours(1));
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        _ = await cache.TryGetAsync(Key("warm")); // the connection, and the clear marker, read before counting
        await Task.Delay(100);
        long readsBefore = redis.CallsOf("hmget");

        Task<string>[] callers = [.. Enumerable.Range(0, 16).Select(_ => cache.GetOrAddAsync(Key("shared"), gate, async (g, _) =>
        {
            Interlocked.Increment(ref calls);
            await g.Task;
            return "answer";
        }).AsTask())];
        await WaitUntil(() => Volatile.Read(ref calls) == 1);
        gate.SetResult();
        string[] answers = await Task.WhenAll(callers).WaitAsync(Timeout);

        Assert.All(answers, a => Assert.Equal("answer", a));
        Assert.Equal(1, calls);
        // The entry, read once by the one call (the clear marker was read just before, and is still trusted).
        Assert.Equal(1, redis.CallsOf("hmget") - readsBefore);
    }

    [Fact]
    public async Task A_factory_failure_is_stored_in_neither_level()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrAddAsync<int>(
            Key("q"), 0, (_, _) => throw new InvalidOperationException("model down")).AsTask());
        await cache.DisposeAsync();

        Assert.Equal("0", redis.Command("EXISTS", replicas.StoreKey(Key("q"))));
    }

    [Fact]
    public async Task Values_of_a_type_with_a_JSON_contract_travel_through_the_JsonCacheSerializer()
    {
        await using RedisReplicas replicas = new(redis);
        JsonCacheSerializer<Answer> serializer = new(TestJsonContext.Default.Answer);
        ExactMatchCache<Answer> first = replicas.Replica<Answer>(o => o.Serializer = serializer);
        ExactMatchCache<Answer> second = replicas.Replica<Answer>(o => o.Serializer = serializer);

        await first.PutAsync(Key("q"), new Answer("text", 42));

        Assert.Equal(new Answer("text", 42), (await second.TryGetAsync(Key("q"))).Value);
    }

    [Fact]
    public async Task Byte_array_values_travel_without_configuration()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<byte[]> first = replicas.Replica<byte[]>();
        ExactMatchCache<byte[]> second = replicas.Replica<byte[]>();

        await first.PutAsync(Key("q"), [1, 2, 3]);

        Assert.Equal([1, 2, 3], (await second.TryGetAsync(Key("q"))).Value);
    }

    [Fact]
    public async Task A_distributed_cache_without_a_serializer_for_the_value_type_fails_when_built_naming_the_type()
    {
        await using RedisReplicas replicas = new(redis);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => replicas.Replica<Answer>());

        Assert.Contains(typeof(Answer).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("Serializer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_hit_of_a_two_level_cache_allocates_nothing()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>();
        await cache.PutAsync(Key("q"), "answer");
        Func<int, CancellationToken, ValueTask<string>> factory = static (_, _) => new ValueTask<string>("never");
        for (int i = 0; i < 1_000; i++)
        {
            Hit(cache, factory);
        }

        long least = long.MaxValue;
        for (int round = 0; round < 5 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                Hit(cache, factory);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    private static void Hit(ExactMatchCache<string> cache, Func<int, CancellationToken, ValueTask<string>> factory)
    {
        ValueTask<string> added = cache.GetOrAddAsync(Key("q"), 0, factory);
        ValueTask<CacheLookup<string>> looked = cache.TryGetAsync(Key("q"));
        if (!cache.TryGet(Key("q"), out _) || !added.IsCompletedSuccessfully || !looked.IsCompletedSuccessfully
            || added.Result != "answer" || !looked.Result.Found)
        {
            throw new InvalidOperationException("Expected a hit in memory.");
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
