using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests;

public class ExactMatchCacheTtlTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);
    private static readonly CacheKey Key = CacheKey.Create("question", "system", "model", 0f, 100);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void An_entry_whose_age_equals_the_ttl_is_still_fresh()
    {
        ExactMatchCache<string> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, "answer");

        _clock.Advance(Ttl);

        Assert.True(cache.TryGet(Key, out string? value));
        Assert.Equal("answer", value);
        Assert.Equal(0, cache.Stats.Expirations);
    }

    [Fact]
    public void An_entry_older_than_the_ttl_is_a_miss_and_is_removed_on_read()
    {
        ExactMatchCache<string> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, "answer");

        _clock.Advance(Ttl + TimeSpan.FromTicks(1));

        Assert.Equal(1, cache.Count); // lazy: nothing is removed until it is read
        Assert.False(cache.TryGet(Key, out string? value));
        Assert.Null(value);
        Assert.Equal(0, cache.Count);
        Assert.Equal(new CacheStats(Hits: 0, Misses: 1, Size: 0, Evictions: 0, Expirations: 1), cache.Stats);
    }

    [Fact]
    public void Put_of_an_existing_key_restarts_its_age()
    {
        ExactMatchCache<string> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, "old");
        _clock.Advance(TimeSpan.FromMinutes(8));

        cache.Put(Key, "new");
        _clock.Advance(TimeSpan.FromMinutes(8));

        Assert.True(cache.TryGet(Key, out string? value));
        Assert.Equal("new", value);
    }

    [Fact]
    public void A_hit_does_not_extend_the_ttl()
    {
        ExactMatchCache<string> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, "answer");
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(cache.TryGet(Key, out _));

        _clock.Advance(TimeSpan.FromMinutes(6));

        Assert.False(cache.TryGet(Key, out _));
    }

    [Fact]
    public void Without_a_ttl_entries_never_expire()
    {
        ExactMatchCache<string> cache = new(timeProvider: _clock);
        cache.Put(Key, "answer");

        _clock.Advance(TimeSpan.FromDays(3650));

        Assert.True(cache.TryGet(Key, out _));
    }

    [Fact]
    public void An_expired_entry_frees_its_slot_for_a_new_one_without_an_eviction()
    {
        ExactMatchCache<int> cache = new(maxSize: 1, ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, 1);
        _clock.Advance(Ttl * 2);
        Assert.False(cache.TryGet(Key, out _));

        cache.Put(CacheKey.Create("other", "system", "model", 0f, 100), 2);

        Assert.Equal(0, cache.Stats.Evictions);
        Assert.Equal(1, cache.Stats.Expirations);
    }

    [Fact]
    public void TryGetEntryInfo_reports_age_and_expiry_without_removing_the_entry()
    {
        ExactMatchCache<int> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, 1);
        _clock.Advance(TimeSpan.FromMinutes(3));

        Assert.True(cache.TryGetEntryInfo(Key, out CacheEntryInfo fresh));
        _clock.Advance(TimeSpan.FromMinutes(8));
        Assert.True(cache.TryGetEntryInfo(Key, out CacheEntryInfo stale));

        Assert.Equal(TimeSpan.FromMinutes(3), fresh.Age);
        Assert.False(fresh.IsExpired);
        Assert.Equal(TimeSpan.FromMinutes(11), stale.Age);
        Assert.True(stale.IsExpired);
        Assert.Equal(1, cache.Count);
        Assert.Equal(0, cache.Stats.Expirations);
    }

    [Fact]
    public void Invalidate_of_an_expired_entry_removes_it_and_reports_it_was_present()
    {
        ExactMatchCache<int> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, 1);
        _clock.Advance(Ttl * 2);

        Assert.True(cache.Invalidate(Key));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task GetOrAddAsync_treats_an_expired_entry_as_a_miss_and_refreshes_it()
    {
        ExactMatchCache<string> cache = new(ttl: Ttl, timeProvider: _clock);
        cache.Put(Key, "stale");
        _clock.Advance(Ttl * 2);

        string result = await cache.GetOrAddAsync(Key, "fresh", static (state, _) => new ValueTask<string>(state));

        Assert.Equal("fresh", result);
        Assert.True(cache.TryGet(Key, out string? stored));
        Assert.Equal("fresh", stored);
    }
}
