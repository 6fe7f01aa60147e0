using Microsoft.Extensions.Time.Testing;

using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>Partitions and TTLs of their own in the distributed level: a partition's name is part of its entries' identity there.</summary>
public sealed class PartitionedDistributedTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task A_partitions_entry_reaches_the_same_partition_on_another_replica_and_no_other()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();

        await first.Partition("tenant-a").PutAsync(Key("q"), "a's answer");

        CacheLookup<string> same = await second.Partition("tenant-a").TryGetAsync(Key("q"));
        Assert.True(same.Found);
        Assert.Equal("a's answer", same.Value);
        Assert.False((await second.Partition("tenant-b").TryGetAsync(Key("q"))).Found);
        Assert.False((await second.TryGetAsync(Key("q"))).Found);
        Assert.True(second.Partition("tenant-a").TryGet(Key("q"), out _)); // filled into the partition's memory
        Assert.False(second.TryGet(Key("q"), out _));
    }

    [Fact]
    public async Task Partition_names_that_differ_only_by_separators_never_share_a_store_key()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> writer = replicas.Replica<string>();
        ExactMatchCache<string> reader = replicas.Replica<string>();
        string[] names = ["a:b", "a", "a:", ":b", "a:b:", "b", "a::b", "zac:", "!clear"];
        CacheKey key = Key("q");

        await writer.PutAsync(key, "own");
        foreach (string name in names)
        {
            await writer.Partition(name).PutAsync(key, "value of " + name);
        }

        foreach (string name in names)
        {
            CacheLookup<string> found = await reader.Partition(name).TryGetAsync(key);
            Assert.Equal("value of " + name, found.Value);
        }

        Assert.Equal("own", (await reader.TryGetAsync(key)).Value);
        string[] storeKeys = redis.Command("KEYS", replicas.Prefix + "*").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(k => !k.EndsWith("!warm-up", StringComparison.Ordinal)).ToArray();
        Assert.Equal(names.Length + 1, storeKeys.Distinct().Count());
    }

    [Fact]
    public async Task Invalidating_a_partitions_entry_removes_it_from_the_store_and_leaves_other_partitions()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();
        await first.Partition("a").PutAsync(Key("q"), "A");
        await first.Partition("b").PutAsync(Key("q"), "B");

        Assert.True(await first.Partition("a").InvalidateAsync(Key("q")));

        Assert.False((await second.Partition("a").TryGetAsync(Key("q"))).Found);
        Assert.Equal("B", (await second.Partition("b").TryGetAsync(Key("q"))).Value);
    }

    [Fact]
    public async Task An_entrys_own_ttl_is_its_expiry_in_the_store()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.Ttl = TimeSpan.FromHours(6));

        cache.Put(Key("q"), "short-lived", TimeSpan.FromSeconds(90));
        await cache.DisposeAsync(); // flushes the background write

        long milliseconds = long.Parse(redis.Command("PTTL", replicas.StoreKey(Key("q"))), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(milliseconds, 60_000, 90_000);
    }

    [Fact]
    public async Task A_value_read_from_the_store_lives_on_in_memory_by_its_own_ttl()
    {
        await using RedisReplicas replicas = new(redis);
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> writer = replicas.Replica<string>(o => o.Ttl = TimeSpan.FromHours(6));
        ExactMatchCache<string> reader = replicas.Replica<string>(o => { o.Ttl = TimeSpan.FromHours(6); o.TimeProvider = clock; });
        writer.Partition("p").Put(Key("q"), "for a minute", TimeSpan.FromMinutes(1));
        await writer.DisposeAsync();

        Assert.True((await reader.Partition("p").TryGetAsync(Key("q"))).Found);
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.False(reader.Partition("p").TryGet(Key("q"), out _)); // memory: past its own TTL, not the cache's 6 hours
        Assert.False((await reader.Partition("p").TryGetAsync(Key("q"))).Found); // and the store's copy has expired too
    }

    [Fact]
    public async Task GetOrAddAsync_in_a_partition_reads_and_writes_the_partitions_entry_in_the_store()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> first = replicas.Replica<string>();
        ExactMatchCache<string> second = replicas.Replica<string>();
        int calls = 0;
        Func<string, CancellationToken, ValueTask<string>> factory = (p, _) => { Interlocked.Increment(ref calls); return new ValueTask<string>("for " + p); };

        await first.Partition("a").GetOrAddAsync(Key("q"), "a", factory);
        await first.DisposeAsync();
        string fromStore = await second.Partition("a").GetOrAddAsync(Key("q"), "a", factory);
        string computed = await second.Partition("b").GetOrAddAsync(Key("q"), "b", factory);

        Assert.Equal("for a", fromStore);
        Assert.Equal("for b", computed);
        Assert.Equal(2, calls);
    }
}
