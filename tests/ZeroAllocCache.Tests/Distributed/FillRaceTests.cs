using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>
/// A value the distributed level answers with goes into memory only when nothing changed the key meanwhile: a read in
/// flight never undoes an invalidation, a clear or a newer put, and a key whose removal has not reached the store yet
/// is not read from it.
/// </summary>
public sealed class FillRaceTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CacheKey Key(string question) => CacheKey.Create(question, "system", "model", 0.2f, 256);

    [Fact]
    public async Task A_read_answered_before_an_invalidation_does_not_put_the_old_value_back_in_memory()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        await replicas.Replica<string>().PutAsync(Key("q"), "old");

        await ReadAcrossAsync(store, () => cache.TryGetAsync(Key("q")).AsTask(), () => cache.InvalidateAsync(Key("q")));

        Assert.False(cache.TryGet(Key("q"), out string? kept), $"memory holds {kept} after the invalidation");
        Assert.False((await cache.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task A_read_answered_before_ClearAsync_does_not_put_the_old_value_back_in_memory()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        await replicas.Replica<string>().PutAsync(Key("q"), "old");

        await ReadAcrossAsync(store, () => cache.TryGetAsync(Key("q")).AsTask(), () => cache.ClearAsync());

        Assert.False(cache.TryGet(Key("q"), out string? kept), $"memory holds {kept} after the clear");
        Assert.False((await cache.TryGetAsync(Key("q"))).Found);
    }

    [Fact]
    public async Task A_read_answered_before_a_newer_put_does_not_replace_the_newer_value()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        await replicas.Replica<string>().PutAsync(Key("q"), "old");

        await ReadAcrossAsync(store, () => cache.TryGetAsync(Key("q")).AsTask(), () => cache.PutAsync(Key("q"), "new"));

        Assert.True(cache.TryGet(Key("q"), out string? kept));
        Assert.Equal("new", kept);
    }

    [Fact]
    public async Task A_GetOrAddAsync_whose_read_was_answered_before_an_invalidation_does_not_store_the_old_value()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        await replicas.Replica<string>().PutAsync(Key("q"), "old");

        await ReadAcrossAsync(store, () => cache.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")).AsTask(), () => cache.InvalidateAsync(Key("q")));

        Assert.False(cache.TryGet(Key("q"), out string? kept), $"memory holds {kept} after the invalidation");
        Assert.Equal("computed", await cache.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")));
    }

    [Fact]
    public async Task While_an_invalidation_has_not_reached_the_store_the_old_value_is_not_read_from_it()
    {
        await using RedisReplicas replicas = new(redis) { DistributedTimeout = TimeSpan.FromMilliseconds(500) };
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        await cache.PutAsync(Key("q"), "old");
        store.HoldRemovals();
        try
        {
            await cache.InvalidateAsync(Key("q")); // returns after twice the timeout, the removal still queued

            Assert.False((await cache.TryGetAsync(Key("q"))).Found);
            Assert.Equal("computed", await cache.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")));
        }
        finally
        {
            store.ReleaseRemovals();
        }
    }

    [Fact]
    public async Task A_read_of_a_key_whose_set_is_still_on_its_way_to_the_store_answers_with_that_value()
    {
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        store.HoldSets();
        try
        {
            cache.Put(Key("q"), "new");
            cache.Clear(); // memory only: the set is still queued for the store

            Assert.Equal(new CacheLookup<string>(true, "new"), await cache.TryGetAsync(Key("q")));
        }
        finally
        {
            store.ReleaseSets();
        }
    }

    [Fact]
    public async Task Answers_of_two_keys_that_share_a_stripe_both_go_into_memory()
    {
        CacheKey second = Enumerable.Range(0, 100_000).Select(i => Key("other " + i))
            .First(k => (k.GetHashCode() & 255) == (Key("q").GetHashCode() & 255));
        await using RedisReplicas replicas = new(redis);
        (ExactMatchCache<string> cache, HeldStore store) = HeldReplica(replicas);
        ExactMatchCache<string> writer = replicas.Replica<string>();
        await writer.PutAsync(Key("q"), "first");
        await writer.PutAsync(second, "second");

        await ReadAcrossAsync(store, () => cache.TryGetAsync(Key("q")).AsTask(), async () => Assert.True((await cache.TryGetAsync(second)).Found));

        Assert.True(cache.TryGet(Key("q"), out _));
        Assert.True(cache.TryGet(second, out _));
    }

    [Fact]
    public async Task A_ttl_of_TimeSpan_MaxValue_is_stored_in_both_levels()
    {
        await using RedisReplicas replicas = new(redis);
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.Ttl = TimeSpan.MaxValue);
        ExactMatchCache<string> other = replicas.Replica<string>(o => o.Ttl = TimeSpan.MaxValue);

        Assert.Equal("computed", await cache.GetOrAddAsync(Key("q"), 0, static (_, _) => new ValueTask<string>("computed")).AsTask().WaitAsync(Timeout));
        await cache.PutAsync(Key("put"), "stored");

        Assert.Equal("stored", (await other.TryGetAsync(Key("put"))).Value);
        await cache.DisposeAsync(); // flushes the background write of the computed value
        Assert.Equal("computed", (await other.TryGetAsync(Key("q"))).Value);
    }

    // Starts a read of the held key, lets the store answer it, runs meanwhile, then lets the read finish.
    private static async Task ReadAcrossAsync(HeldStore store, Func<Task> read, Func<Task> meanwhile)
    {
        store.HoldNextRead();
        Task reading = read();
        await store.Read.WaitAsync(Timeout);
        await meanwhile();
        store.ReleaseRead();
        await reading.WaitAsync(Timeout);
    }

    private static (ExactMatchCache<string> Cache, HeldStore Store) HeldReplica(RedisReplicas replicas)
    {
        HeldStore store = new(replicas.NewStore(), replicas.StoreKey(Key("q")));
        ExactMatchCache<string> cache = replicas.Replica<string>(o => o.DistributedCache = store);
        return (cache, store);
    }
}
