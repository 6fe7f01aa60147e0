namespace ZeroAllocCache.Tests;

/// <summary>The Python seed's behaviours, one test each: LRU, replacement, invalidation, clearing and stats.</summary>
public class ExactMatchCacheTests
{
    private static CacheKey Key(int i) => CacheKey.Create($"question {i}", "system", "model", 0.2f, 512);

    [Fact]
    public void Put_then_TryGet_returns_the_value()
    {
        ExactMatchCache<string> cache = new();

        cache.Put("hello", "be brief", "gpt-4o", 0.2f, 512, "hi!");

        Assert.True(cache.TryGet("hello", "be brief", "gpt-4o", 0.2f, 512, out string? value));
        Assert.Equal("hi!", value);
    }

    [Fact]
    public void TryGet_of_an_unknown_request_misses_with_the_default_value()
    {
        ExactMatchCache<string> cache = new();
        cache.Put("hello", "s", "m", 0f, 1, "hi");

        Assert.False(cache.TryGet("hello", "s", "m", 0f, 2, out string? value));
        Assert.Null(value);
    }

    [Fact]
    public void The_string_overloads_and_the_key_overloads_address_the_same_entry()
    {
        ExactMatchCache<int> cache = new();
        CacheKey key = CacheKey.Create("u", "s", "m", 1f, 10);

        cache.Put(in key, 42);

        Assert.True(cache.TryGet("u", "s", "m", 1f, 10, out int value));
        Assert.Equal(42, value);
        Assert.True(cache.Invalidate("u", "s", "m", 1f, 10));
        Assert.False(cache.TryGet(in key, out _));
    }

    [Fact]
    public void Put_of_a_new_key_into_a_full_cache_evicts_the_least_recently_used()
    {
        ExactMatchCache<int> cache = new(maxSize: 3);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);
        cache.Put(Key(3), 3);

        cache.Put(Key(4), 4);

        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(2), out _));
        Assert.True(cache.TryGet(Key(3), out _));
        Assert.True(cache.TryGet(Key(4), out _));
        Assert.Equal(3, cache.Count);
        Assert.Equal(1, cache.Stats.Evictions);
    }

    [Fact]
    public void A_hit_promotes_the_entry_so_the_next_eviction_spares_it()
    {
        ExactMatchCache<int> cache = new(maxSize: 3);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);
        cache.Put(Key(3), 3);

        Assert.True(cache.TryGet(Key(1), out _));
        cache.Put(Key(4), 4);

        Assert.True(cache.TryGet(Key(1), out _));
        Assert.False(cache.TryGet(Key(2), out _));
    }

    [Fact]
    public void A_miss_does_not_change_the_recency_order()
    {
        ExactMatchCache<int> cache = new(maxSize: 2);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);

        Assert.False(cache.TryGet(Key(3), out _));
        cache.Put(Key(4), 4);

        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(2), out _));
    }

    [Fact]
    public void Put_of_an_existing_key_replaces_the_value_and_promotes_it_without_evicting()
    {
        ExactMatchCache<string> cache = new(maxSize: 2);
        cache.Put(Key(1), "one");
        cache.Put(Key(2), "two");

        cache.Put(Key(1), "uno");
        cache.Put(Key(3), "three");

        Assert.True(cache.TryGet(Key(1), out string? value));
        Assert.Equal("uno", value);
        Assert.False(cache.TryGet(Key(2), out _));
        Assert.Equal(2, cache.Count);
        Assert.Equal(1, cache.Stats.Evictions);
    }

    [Fact]
    public void Invalidate_removes_the_entry_and_reports_whether_it_was_present()
    {
        ExactMatchCache<int> cache = new();
        cache.Put(Key(1), 1);

        Assert.True(cache.Invalidate(Key(1)));
        Assert.False(cache.Invalidate(Key(1)));
        Assert.False(cache.TryGet(Key(1), out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_slot_freed_by_Invalidate_is_reused_without_evicting()
    {
        ExactMatchCache<int> cache = new(maxSize: 2);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);
        cache.Invalidate(Key(1));

        cache.Put(Key(3), 3);

        Assert.Equal(0, cache.Stats.Evictions);
        Assert.True(cache.TryGet(Key(2), out _));
        Assert.True(cache.TryGet(Key(3), out _));
    }

    [Fact]
    public void Clear_removes_every_entry_and_resets_every_counter()
    {
        ExactMatchCache<int> cache = new(maxSize: 2);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);
        cache.Put(Key(3), 3);
        cache.TryGet(Key(3), out _);
        cache.TryGet(Key(1), out _);

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.Equal(new CacheStats(0, 0, 0, 0, 0), cache.Stats);
        Assert.False(cache.TryGet(Key(3), out _));
        cache.Put(Key(4), 4);
        Assert.True(cache.TryGet(Key(4), out int value));
        Assert.Equal(4, value);
    }

    [Fact]
    public void Stats_count_hits_misses_and_size_and_compute_the_hit_rate()
    {
        ExactMatchCache<int> cache = new();
        cache.Put(Key(1), 1);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(2), out _);

        CacheStats stats = cache.Stats;

        Assert.Equal(3, stats.Hits);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(4, stats.Lookups);
        Assert.Equal(1, stats.Size);
        Assert.Equal(0.75, stats.HitRate);
    }

    [Fact]
    public void The_hit_rate_is_zero_before_any_lookup()
    {
        Assert.Equal(0d, new ExactMatchCache<int>().Stats.HitRate);
    }

    [Fact]
    public void Put_and_Invalidate_are_not_lookups()
    {
        ExactMatchCache<int> cache = new();
        cache.Put(Key(1), 1);
        cache.Invalidate(Key(1));
        cache.Invalidate(Key(2));

        Assert.Equal(0, cache.Stats.Lookups);
    }

    [Fact]
    public void Zero_max_size_is_unbounded_and_grows_past_its_first_pool()
    {
        ExactMatchCache<int> cache = new(maxSize: 0);
        const int entries = 5_000;

        for (int i = 0; i < entries; i++)
        {
            cache.Put(Key(i), i);
        }

        Assert.Equal(0, cache.MaxSize);
        Assert.Equal(entries, cache.Count);
        Assert.Equal(0, cache.Stats.Evictions);
        for (int i = 0; i < entries; i++)
        {
            Assert.True(cache.TryGet(Key(i), out int value));
            Assert.Equal(i, value);
        }
    }

    [Fact]
    public void Growing_an_unbounded_cache_keeps_the_recency_order()
    {
        ExactMatchCache<int> cache = new(maxSize: 0);
        for (int i = 0; i < 200; i++)
        {
            cache.Put(Key(i), i);
        }

        // Invalidate the oldest half, then check the survivors are all reachable after more growth.
        for (int i = 0; i < 100; i++)
        {
            Assert.True(cache.Invalidate(Key(i)));
        }

        for (int i = 200; i < 400; i++)
        {
            cache.Put(Key(i), i);
        }

        Assert.Equal(300, cache.Count);
        Assert.All(Enumerable.Range(100, 300), i => Assert.True(cache.TryGet(Key(i), out _)));
    }

    [Fact]
    public void A_cache_of_one_keeps_only_the_latest_entry()
    {
        ExactMatchCache<int> cache = new(maxSize: 1);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);

        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(2), out int value));
        Assert.Equal(2, value);
    }

    [Fact]
    public void Null_values_can_be_cached_and_are_hits()
    {
        ExactMatchCache<string?> cache = new();
        cache.Put(Key(1), null);

        Assert.True(cache.TryGet(Key(1), out string? value));
        Assert.Null(value);
    }

    [Fact]
    public void Properties_report_the_configuration()
    {
        ExactMatchCache<int> cache = new(maxSize: 7, ttl: TimeSpan.FromMinutes(5));

        Assert.Equal(7, cache.MaxSize);
        Assert.Equal(TimeSpan.FromMinutes(5), cache.Ttl);
        Assert.Null(new ExactMatchCache<int>().Ttl);
        Assert.Equal(1024, new ExactMatchCache<int>().MaxSize);
    }

    [Fact]
    public void ToString_describes_size_capacity_ttl_and_hit_rate_like_the_seed_repr()
    {
        ExactMatchCache<int> cache = new(maxSize: 100, ttl: TimeSpan.FromHours(1));
        cache.Put(Key(1), 1);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(2), out _);

        Assert.Equal("ExactMatchCache(size=1, max_size=100, ttl=01:00:00, hit_rate=66.7%)", cache.ToString());
        Assert.Equal("ExactMatchCache(size=0, max_size=unbounded, ttl=none, hit_rate=0.0%)", new ExactMatchCache<int>(0).ToString());
    }

    [Fact]
    public void TryGetEntryInfo_reports_hits_without_counting_a_lookup_or_promoting()
    {
        ExactMatchCache<int> cache = new(maxSize: 2);
        cache.Put(Key(1), 1);
        cache.Put(Key(2), 2);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(1), out _);
        cache.TryGet(Key(2), out _);

        Assert.True(cache.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        cache.Put(Key(3), 3); // Key(1) is still the least recently used: inspecting it did not promote it.

        Assert.Equal(2, info.HitCount);
        Assert.False(info.IsExpired);
        Assert.Equal(3, cache.Stats.Lookups);
        Assert.False(cache.TryGetEntryInfo(Key(1), out _));
    }

    [Fact]
    public void Replacing_an_entry_restarts_its_hit_count()
    {
        ExactMatchCache<int> cache = new();
        cache.Put(Key(1), 1);
        cache.TryGet(Key(1), out _);

        cache.Put(Key(1), 2);

        Assert.True(cache.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.Equal(0, info.HitCount);
    }
}
