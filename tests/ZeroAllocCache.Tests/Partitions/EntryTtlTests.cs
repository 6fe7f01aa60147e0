using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests.Partitions;

/// <summary><c>Put(key, value, ttl)</c> and <c>TtlOf</c>: an entry that lives by a TTL of its own.</summary>
public class EntryTtlTests
{
    private static CacheKey Key(int i) => CacheKey.Create($"question {i}", "system", "model", 0.2f, 512);

    [Fact]
    public void An_entry_is_fresh_at_exactly_its_own_ttl_and_a_removed_miss_one_tick_later()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(maxSize: 16, ttl: null, clock);
        cache.Put(Key(1), "short", TimeSpan.FromMinutes(5));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(cache.TryGet(Key(1), out _));

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(Key(1), out _));
        Assert.Equal(0, cache.Count);
        Assert.Equal(1, cache.Stats.Expirations);
    }

    [Fact]
    public void An_entrys_own_ttl_replaces_the_caches_longer_or_shorter()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(maxSize: 16, ttl: TimeSpan.FromHours(1), clock);
        cache.Put(Key(1), "short", TimeSpan.FromMinutes(10));
        cache.Put(Key(2), "long", TimeSpan.FromHours(24));
        cache.Put(Key(3), "the cache's");

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(3), out _));

        clock.Advance(TimeSpan.FromHours(2));
        Assert.False(cache.TryGet(Key(3), out _));
        Assert.True(cache.TryGet(Key(2), out _));
    }

    [Fact]
    public void A_replacement_without_a_ttl_goes_back_to_the_caches()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(maxSize: 16, ttl: TimeSpan.FromHours(1), clock);
        cache.Put(Key(1), "v1", TimeSpan.FromMinutes(1));
        cache.Put(Key(1), "v2");

        clock.Advance(TimeSpan.FromMinutes(30));

        Assert.True(cache.TryGet(Key(1), out string? value));
        Assert.Equal("v2", value);
    }

    [Fact]
    public void TtlOf_chooses_each_values_ttl_and_null_means_the_caches()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string>
        {
            Ttl = TimeSpan.FromHours(1),
            TimeProvider = clock,
            TtlOf = value => value.StartsWith("volatile", StringComparison.Ordinal) ? TimeSpan.FromMinutes(1) : null,
        });
        cache.Put(Key(1), "volatile price");
        cache.Put(Key(2), "stable fact");

        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.False(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(2), out _));
    }

    [Fact]
    public async Task GetOrAddAsync_stores_the_factorys_value_with_the_ttl_TtlOf_chooses()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { TimeProvider = clock, TtlOf = _ => TimeSpan.FromSeconds(30) });

        await cache.GetOrAddAsync(Key(1), 0, static (_, _) => ValueTask.FromResult("computed"));
        clock.Advance(TimeSpan.FromSeconds(31));

        Assert.False(cache.TryGet(Key(1), out _));
    }

    [Fact]
    public void A_ttl_of_its_own_in_a_partition_expires_there_only()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(maxSize: 16, ttl: null, clock);
        cache.Partition("a").Put(Key(1), "A", TimeSpan.FromSeconds(10));
        cache.Partition("b").Put(Key(1), "B");

        clock.Advance(TimeSpan.FromSeconds(11));

        Assert.False(cache.Partition("a").TryGet(Key(1), out _));
        Assert.Equal(1, cache.Partition("a").Stats.Expirations);
        Assert.True(cache.Partition("b").TryGet(Key(1), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_ttl_that_is_not_above_zero_is_refused_naming_it_and_nothing_is_stored(int seconds)
    {
        using ExactMatchCache<string> cache = new();

        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => cache.Put(Key(1), "v", TimeSpan.FromSeconds(seconds))).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => cache.Partition("p").Put(Key(1), "v", TimeSpan.FromSeconds(seconds))).ParamName);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_TtlOf_that_returns_zero_throws_and_stores_nothing()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { TtlOf = _ => TimeSpan.Zero });

        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() => cache.Put(Key(1), "v"));

        Assert.Contains("TtlOf returned 00:00:00", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_TtlOf_that_fails_for_a_factorys_value_fails_the_call_and_the_next_call_computes_again()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { TtlOf = _ => TimeSpan.FromSeconds(-5) });
        int calls = 0;
        ValueTask<string> Factory(int _, CancellationToken __)
        {
            calls++;
            return ValueTask.FromResult("v");
        }

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetOrAddAsync(Key(1), 0, Factory));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await cache.GetOrAddAsync(Key(1), 0, Factory));

        Assert.Equal(0, cache.Count);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void TryGetEntryInfo_judges_freshness_by_the_entrys_own_ttl()
    {
        FakeTimeProvider clock = new();
        using ExactMatchCache<string> cache = new(maxSize: 16, ttl: TimeSpan.FromHours(1), clock);
        cache.Put(Key(1), "v", TimeSpan.FromMinutes(1));
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.True(cache.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.True(info.IsExpired);
    }
}
