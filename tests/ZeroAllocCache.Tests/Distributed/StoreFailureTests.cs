using System.Diagnostics;

using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>
/// A real Redis that dies, stalls, comes back or holds garbage: every request still gets its value from memory or the
/// factory, within the timeout, and never the store's exception.
/// </summary>
public sealed class StoreFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    // The store timeout these tests run with: short, since what they bound is how long a request waits for a failing store.
    private static readonly TimeSpan OutageTimeout = TimeSpan.FromMilliseconds(500);

    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task With_the_server_killed_requests_succeed_from_memory_and_the_factory_within_the_timeout_and_the_store_is_used_again_after_a_restart()
    {
        using RedisServer redis = new();
        FakeLogCollector logs = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.LoggerFactory = LoggerFactoryOver(logs));
        await cache.PutAsync(Key("resident"), "from memory");
        redis.Kill();

        TimeSpan slowest = TimeSpan.Zero;
        for (int i = 0; i < 20; i++)
        {
            Stopwatch request = Stopwatch.StartNew();
            string resident = await cache.GetOrAddAsync(Key("resident"), 0, (_, _) => new ValueTask<string>("recomputed"));
            string fresh = await cache.GetOrAddAsync(Key("new " + i), i, (n, _) => new ValueTask<string>("computed " + n));
            slowest = Max(slowest, request.Elapsed);

            Assert.Equal("from memory", resident);
            Assert.Equal("computed " + i, fresh);
        }

        // Each request waited at most the 500 ms timeout for the dead store, with room for a loaded machine: a request
        // that waited for the client itself would take its 5 s timeout.
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"The slowest request took {slowest}.");
        Assert.True(cache.Stats.DistributedErrors > 0);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1501);

        redis.Start();
        await WaitUntilAsync(async () =>
        {
            await cache.PutAsync(Key("after restart"), "stored");
            return (await replicas.Replica<string>().TryGetAsync(Key("after restart"))).Found;
        });
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1502);
    }

    [Fact]
    public async Task A_stalled_store_costs_a_request_no_more_than_the_timeout()
    {
        using RedisServer redis = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>();
        _ = await cache.TryGetAsync(Key("warm the connection"));

        redis.Command("CLIENT", "PAUSE", "10000", "ALL");
        Stopwatch request = Stopwatch.StartNew();
        string value = await cache.GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("computed"));
        TimeSpan waited = request.Elapsed;
        redis.Command("CLIENT", "UNPAUSE");

        // A request that waited for the store would take the 10 s pause; the bound leaves room for a loaded machine.
        Assert.Equal("computed", value);
        Assert.True(waited < TimeSpan.FromSeconds(3), $"The request took {waited} against a 500 ms timeout.");
        Assert.True(cache.Stats.DistributedErrors >= 1); // the read that timed out (the queued write may have failed since)
    }

    [Fact]
    public async Task Corrupt_and_foreign_entries_in_the_store_are_misses_that_are_counted_and_never_thrown()
    {
        using RedisServer redis = new();
        FakeLogCollector logs = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.LoggerFactory = LoggerFactoryOver(logs));
        ExactMatchCache<byte[]> otherType = replicas.Replica<byte[]>();
        Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache raw = replicas.NewStore();

        // Bytes that are no envelope, a truncated envelope, another key's entry, another value type's entry.
        await raw.SetAsync(replicas.StoreKey(Key("garbage")), "not an entry at all"u8.ToArray());
        await cache.PutAsync(Key("source"), "a real answer");
        byte[] real = (await raw.GetAsync(replicas.StoreKey(Key("source"))))!;
        await raw.SetAsync(replicas.StoreKey(Key("truncated")), real[..40]);
        await raw.SetAsync(replicas.StoreKey(Key("moved")), real);
        await otherType.PutAsync(Key("typed"), [1, 2, 3]);
        byte[] flipped = (byte[])real.Clone();
        flipped[^1] ^= 0x01; // the payload's last byte: the header still checks, and the payload is still a string
        await raw.SetAsync(replicas.StoreKey(Key("flipped")), flipped);

        foreach (string question in new[] { "garbage", "truncated", "moved", "flipped", "typed" })
        {
            Assert.False((await cache.TryGetAsync(Key(question))).Found, question);
        }

        Assert.Equal(0, cache.Stats.DistributedErrors);
        Assert.True(cache.Stats.DistributedMisses >= 5);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1503);
        Assert.Equal(new CacheLookup<string>(true, "a real answer"), await replicas.Replica<string>().TryGetAsync(Key("source")));
    }

    [Fact]
    public async Task A_value_of_another_type_in_the_store_under_the_key_is_a_miss_not_a_store_error()
    {
        using RedisServer redis = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>();

        // A plain string where RedisCache expects a hash: the store itself fails the read.
        redis.Command("SET", replicas.StoreKey(Key("q")), "written by something else");
        string value = await cache.GetOrAddAsync(Key("q"), 0, (_, _) => new ValueTask<string>("computed"));

        Assert.Equal("computed", value);
        Assert.Equal(1, cache.Stats.DistributedMisses);
    }

    [Fact]
    public async Task A_full_write_queue_drops_its_oldest_writes_and_counts_them_without_blocking_a_caller()
    {
        using RedisServer redis = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>(o =>
        {
            o.DistributedWriteQueueSize = 4;
            o.MaxSize = 0;
        });
        _ = await cache.TryGetAsync(Key("warm the connection"));

        redis.Command("CLIENT", "PAUSE", "2000", "WRITE");
        for (int i = 0; i < 100; i++)
        {
            cache.Put(Key("q" + i), "v" + i);
        }

        Assert.True(cache.Stats.DistributedWritesDropped > 0);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(cache.TryGet(Key("q" + i), out _));
        }
    }

    [Fact]
    public async Task An_invalidation_that_could_not_reach_the_store_is_replayed_when_it_answers_again()
    {
        using RedisServer redis = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>();
        ExactMatchCache<string> other = replicas.Replica<string>();
        await cache.PutAsync(Key("q"), "stale once invalidated");
        string storeKey = replicas.StoreKey(Key("q"));
        redis.Command("CLIENT", "PAUSE", "60000", "WRITE");

        await cache.InvalidateAsync(Key("q"));
        Assert.Equal("1", redis.Command("EXISTS", storeKey));

        // The removal the server holds dies with its connection, so only the cache's replay can remove the entry.
        redis.Command("CLIENT", "KILL", "TYPE", "normal");
        redis.Command("CLIENT", "UNPAUSE");
        Assert.Equal("1", redis.Command("EXISTS", storeKey));

        await WaitUntilAsync(async () =>
        {
            _ = await cache.TryGetAsync(Key("poke")); // a healthy read replays what is pending
            return redis.Command("EXISTS", storeKey) == "0";
        });
        Assert.False((await other.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task Many_requests_during_an_outage_log_one_failure_and_one_recovery()
    {
        using RedisServer redis = new();
        FakeLogCollector logs = new();
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = OutageTimeout };
        ExactMatchCache<string> cache = replicas.Replica<string>(o =>
        {
            o.LoggerFactory = LoggerFactoryOver(logs);
            o.DistributedRetryAfter = TimeSpan.FromMilliseconds(50);
        });
        _ = await cache.TryGetAsync(Key("warm the connection"));
        redis.Kill();

        for (int i = 0; i < 30; i++)
        {
            _ = await cache.TryGetAsync(Key("q" + i));
            await Task.Delay(20);
        }

        redis.Start();
        await WaitUntilAsync(async () =>
        {
            _ = await cache.TryGetAsync(Key("probe"));
            return logs.GetSnapshot().Any(r => r.Id.Id == 1502);
        });

        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1501);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1502);
    }

    private static ILoggerFactory LoggerFactoryOver(FakeLogCollector logs) =>
        LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < Timeout, "The store did not come back in time.");
            await Task.Delay(100);
        }
    }
}
