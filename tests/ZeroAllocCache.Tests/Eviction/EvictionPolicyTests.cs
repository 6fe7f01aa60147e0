namespace ZeroAllocCache.Tests.Eviction;

/// <summary>What each eviction policy keeps, and that everything else behaves the same under each.</summary>
public class EvictionPolicyTests
{
    private static CacheKey Key(int i) => CacheKey.Create($"question {i}", "system", "model", 0.2f, 512);

    [Fact]
    public void Lru_is_the_default()
    {
        using ExactMatchCache<string> cache = new();

        Assert.Equal(CacheEvictionPolicy.Lru, cache.EvictionPolicy);
        Assert.Equal(CacheEvictionPolicy.Lru, new ExactMatchCacheOptions<string>().EvictionPolicy);
    }

    [Fact]
    public void An_undefined_policy_is_refused_naming_it()
    {
        ArgumentOutOfRangeException thrown = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { EvictionPolicy = (CacheEvictionPolicy)7 }));

        Assert.Equal("EvictionPolicy", thrown.ParamName);
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public void A_burst_of_one_off_requests_leaves_the_entries_asked_again_where_Lru_loses_them(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<string> scanResistant = new(new ExactMatchCacheOptions<string> { MaxSize = 100, EvictionPolicy = policy });
        using ExactMatchCache<string> lru = new(maxSize: 100);
        foreach (ExactMatchCache<string> cache in new[] { scanResistant, lru })
        {
            for (int i = 0; i < 20; i++)
            {
                cache.Put(Key(i), "popular");
                cache.TryGet(Key(i), out _);
                cache.TryGet(Key(i), out _);
            }

            for (int i = 1_000; i < 1_200; i++)
            {
                cache.Put(Key(i), "one-off");
            }
        }

        int kept = Enumerable.Range(0, 20).Count(i => scanResistant.TryGetEntryInfo(Key(i), out _));
        int keptByLru = Enumerable.Range(0, 20).Count(i => lru.TryGetEntryInfo(Key(i), out _));
        Assert.Equal(20, kept);
        Assert.Equal(0, keptByLru);
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public void A_partition_at_its_quota_evicts_its_own_entries_only(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 1_000, MaxSizePerPartition = 10, EvictionPolicy = policy });
        for (int i = 0; i < 8; i++)
        {
            cache.Partition("quiet").Put(Key(i), "kept");
        }

        for (int i = 100; i < 600; i++)
        {
            cache.Partition("noisy").Put(Key(i), "burst");
        }

        Assert.Equal(10, cache.Partition("noisy").Count);
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(cache.Partition("quiet").TryGet(Key(i), out _)));
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public void The_byte_budget_holds_under_every_policy(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<byte[]> cache = new(new ExactMatchCacheOptions<byte[]> { MaxSize = 0, MaxBytes = 5_000, SizeOf = v => v.Length, EvictionPolicy = policy });
        Random random = new(5);
        for (int i = 0; i < 2_000; i++)
        {
            cache.Put(Key(random.Next(300)), new byte[random.Next(10, 400)]);
            cache.TryGet(Key(random.Next(300)), out _);
            Assert.True(cache.Stats.StoredBytes <= 5_000);
        }
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public async Task A_snapshot_keeps_every_entry_and_loads_into_a_cache_of_the_same_policy(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { MaxSize = 50, EvictionPolicy = policy });
        for (int i = 0; i < 200; i++)
        {
            saved.Put(Key(i % 70), "v" + (i % 70));
            saved.TryGet(Key(i % 7), out _);
        }

        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;
        using ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { MaxSize = 50, EvictionPolicy = policy });

        Assert.Equal(saved.Count, await loaded.LoadSnapshotAsync(file));
        for (int i = 0; i < 70; i++)
        {
            Assert.Equal(saved.TryGetEntryInfo(Key(i), out _), loaded.TryGetEntryInfo(Key(i), out _));
        }
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public void A_hit_and_a_put_into_a_full_cache_allocate_nothing(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 64, EvictionPolicy = policy });
        CacheKey[] keys = [.. Enumerable.Range(0, 256).Select(Key)];
        CacheKey hot = keys[0];
        cache.Put(hot, "hot");
        int next = 1;

        Assert.Equal(0, Allocations.Of(() => cache.TryGet(hot, out _)));
        Assert.Equal(0, Allocations.Of(() => cache.Put(keys[next++ & 255], "value")));
        Assert.Equal(64, cache.Count);
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public void An_unbounded_cache_grows_and_keeps_every_entry_under_every_policy(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = 0, EvictionPolicy = policy });
        for (int i = 0; i < 1_000; i++)
        {
            cache.Put(Key(i), i);
        }

        Assert.Equal(1_000, cache.Count);
        Assert.All(Enumerable.Range(0, 1_000), i => Assert.True(cache.TryGet(Key(i), out int v) && v == i));
    }

    [Fact]
    public void Under_WTinyLfu_the_window_keeps_to_its_share_when_removals_leave_room_in_a_cache_that_has_evicted()
    {
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = 100, EvictionPolicy = CacheEvictionPolicy.WTinyLfu });
        for (int i = 0; i < 101; i++)
        {
            cache.Put(Key(i), i); // the 101st evicts
        }

        for (int i = 0; i < 50; i++)
        {
            cache.Invalidate(Key(i));
        }

        for (int i = 200; i < 300; i++)
        {
            cache.Put(Key(i), i); // 50 into free slots, then 50 that evict
        }

        Assert.Equal(100, cache.Count);
        Assert.Equal(1, cache.WTinyLfuSegmentCounts.Window); // a hundredth of 100
    }

    [Fact]
    public void Under_WTinyLfu_an_entry_stored_into_a_full_byte_budget_is_kept_and_older_ones_make_room()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxBytes = 10_000, EvictionPolicy = CacheEvictionPolicy.WTinyLfu });
        string answer = new('a', 1_000);
        for (int i = 0; i < 50; i++)
        {
            cache.Put(Key(i), answer);
            Assert.True(cache.TryGetEntryInfo(Key(i), out _), $"The answer stored {i}th was turned away.");
        }

        Assert.InRange(cache.Stats.StoredBytes, 1, 10_000);
    }

    [Fact]
    public void Under_WTinyLfu_answers_past_their_ttl_are_evicted_before_new_ones_however_often_they_were_asked()
    {
        Microsoft.Extensions.Time.Testing.FakeTimeProvider clock = new();
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = 10, Ttl = TimeSpan.FromMinutes(1), TimeProvider = clock, EvictionPolicy = CacheEvictionPolicy.WTinyLfu });
        for (int i = 0; i < 10; i++)
        {
            cache.Put(Key(i), i);
            cache.TryGet(Key(i), out _);
            cache.TryGet(Key(i), out _);
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        for (int i = 100; i < 105; i++)
        {
            cache.Put(Key(i), i); // asked once: it would lose every contest against an entry asked three times
        }

        Assert.All(Enumerable.Range(100, 5), i => Assert.True(cache.TryGet(Key(i), out int v) && v == i));
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    public void An_entry_past_its_ttl_is_a_miss_and_removed_though_hits_take_no_lock(CacheEvictionPolicy policy)
    {
        Microsoft.Extensions.Time.Testing.FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 16, Ttl = TimeSpan.FromMinutes(1), TimeProvider = clock, EvictionPolicy = policy });
        cache.Put(Key(1), "v");
        cache.Put(Key(2), "own ttl", TimeSpan.FromMinutes(10));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(cache.TryGet(Key(1), out _)); // an age equal to the TTL is still fresh
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(2), out _));
        Assert.Equal(1, cache.Stats.Expirations);
        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve)]
    [InlineData(CacheEvictionPolicy.S3Fifo)]
    [InlineData(CacheEvictionPolicy.WTinyLfu)]
    public async Task Concurrent_misses_on_one_key_make_one_factory_call_under_every_policy(CacheEvictionPolicy policy)
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 16, EvictionPolicy = policy });
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;

        Task<string>[] callers = [.. Enumerable.Range(0, 10).Select(_ => cache.GetOrAddAsync(Key(1), release, async (r, _) =>
        {
            Interlocked.Increment(ref calls);
            await r.Task;
            return "computed";
        }).AsTask())];
        release.SetResult();

        Assert.All(await Task.WhenAll(callers), v => Assert.Equal("computed", v));
        Assert.Equal(1, calls);
        Assert.True(cache.TryGet(Key(1), out _));
    }
}
