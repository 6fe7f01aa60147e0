using System.Globalization;

using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>Saving a cache and loading it back: values, ages, hit counts and order survive; nothing else gets in.</summary>
public class SnapshotTests
{
    private static CacheKey Key(int i) => CacheKey.Create("question " + i, "system", "model", 0.2f, 256);

    [Fact]
    public async Task Every_fresh_entry_comes_back_with_its_value_age_hit_count_and_LRU_order()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { MaxSize = 10, Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        for (int i = 0; i < 5; i++)
        {
            saved.Put(Key(i), "answer " + i);
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        saved.TryGet(Key(1), out _);
        saved.TryGet(Key(1), out _); // key 1: most recent, two hits
        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;

        clock.Advance(TimeSpan.FromMinutes(10));
        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { MaxSize = 10, Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        Assert.Equal(5, await loaded.LoadSnapshotAsync(file));

        for (int i = 0; i < 5; i++)
        {
            Assert.True(loaded.TryGetEntryInfo(Key(i), out CacheEntryInfo info));
            Assert.Equal(TimeSpan.FromMinutes(15 - i), info.Age); // put at minute i, saved at 5, loaded at 15
            Assert.Equal(i == 1 ? 2 : 0, info.HitCount);
        }

        // Order: 1, 4, 3, 2, 0 from most to least recent. A full cache of 5 shows it by what it evicts.
        ExactMatchCache<string> small = new(new ExactMatchCacheOptions<string> { MaxSize = 5, Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        file.Position = 0;
        await small.LoadSnapshotAsync(file);
        small.Put(Key(100), "new");
        Assert.False(small.TryGet(Key(0), out _));
        small.Put(Key(101), "new");
        Assert.False(small.TryGet(Key(2), out _));
        Assert.True(small.TryGet(Key(1), out string? value));
        Assert.Equal("answer 1", value);
    }

    [Fact]
    public async Task An_entry_saved_fifty_minutes_into_a_one_hour_TTL_expires_ten_minutes_after_it_is_loaded()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        saved.Put(Key(1), "answer");
        clock.Advance(TimeSpan.FromMinutes(50));
        using MemoryStream file = await SaveAsync(saved);

        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        await loaded.LoadSnapshotAsync(file);

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(loaded.TryGet(Key(1), out _)); // exactly the TTL: still fresh
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(loaded.TryGet(Key(1), out _));
    }

    [Fact]
    public async Task Entries_already_expired_when_loaded_are_skipped()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        saved.Put(Key(1), "old");
        clock.Advance(TimeSpan.FromMinutes(40));
        saved.Put(Key(2), "young");
        using MemoryStream file = await SaveAsync(saved);

        clock.Advance(TimeSpan.FromMinutes(30));
        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });

        Assert.Equal(1, await loaded.LoadSnapshotAsync(file));
        Assert.False(loaded.TryGet(Key(1), out _));
        Assert.True(loaded.TryGet(Key(2), out _));
    }

    [Fact]
    public async Task A_smaller_cache_keeps_the_most_recently_used_entries()
    {
        ExactMatchCache<string> saved = new(maxSize: 100);
        for (int i = 0; i < 100; i++)
        {
            saved.Put(Key(i), "answer " + i);
        }

        using MemoryStream file = await SaveAsync(saved);
        ExactMatchCache<string> loaded = new(maxSize: 10);

        Assert.Equal(10, await loaded.LoadSnapshotAsync(file));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i >= 90, loaded.TryGet(Key(i), out _));
        }
    }

    [Fact]
    public async Task A_key_the_cache_already_holds_keeps_its_live_entry()
    {
        ExactMatchCache<string> saved = new();
        saved.Put(Key(1), "from the snapshot");
        saved.Put(Key(2), "only in the snapshot");
        using MemoryStream file = await SaveAsync(saved);
        ExactMatchCache<string> live = new();
        live.Put(Key(1), "live");

        Assert.Equal(1, await live.LoadSnapshotAsync(file));

        Assert.True(live.TryGet(Key(1), out string? kept));
        Assert.Equal("live", kept);
        Assert.True(live.TryGet(Key(2), out _));
    }

    [Fact]
    public async Task Byte_array_values_round_trip_and_an_empty_cache_saves_an_empty_snapshot()
    {
        ExactMatchCache<byte[]> saved = new();
        saved.Put(Key(1), [1, 2, 3]);
        saved.Put(Key(2), []);
        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;
        ExactMatchCache<byte[]> loaded = new();
        Assert.Equal(2, await loaded.LoadSnapshotAsync(file));
        Assert.True(loaded.TryGet(Key(1), out byte[]? bytes));
        Assert.Equal([1, 2, 3], bytes);

        using MemoryStream empty = new();
        await new ExactMatchCache<byte[]>().SaveSnapshotAsync(empty);
        empty.Position = 0;
        Assert.Equal(0, await new ExactMatchCache<byte[]>().LoadSnapshotAsync(empty));
    }

    [Fact]
    public async Task A_cache_without_a_serializer_for_its_values_cannot_save_or_load_and_says_which_type()
    {
        ExactMatchCache<Uri> cache = new();

        InvalidOperationException save = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.SaveSnapshotAsync(new MemoryStream()));
        InvalidOperationException load = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.LoadSnapshotAsync(new MemoryStream()));

        Assert.Contains("System.Uri", save.Message, StringComparison.Ordinal);
        Assert.Contains("System.Uri", load.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_while_two_threads_hit_and_put_succeeds_and_loads()
    {
        ExactMatchCache<string> cache = new(maxSize: 2_000);
        for (int i = 0; i < 2_000; i++)
        {
            cache.Put(Key(i), "answer " + i);
        }

        using CancellationTokenSource stop = new();
        Task[] traffic =
        [
            Task.Run(() => { for (int i = 0; !stop.IsCancellationRequested; i++) { cache.TryGet(Key(i % 2_000), out _); } }),
            Task.Run(() => { for (int i = 0; !stop.IsCancellationRequested; i++) { cache.Put(Key(2_000 + (i % 5_000)), "new " + i); } }),
        ];
        using MemoryStream file = new();
        for (int round = 0; round < 5; round++)
        {
            file.SetLength(0);
            await cache.SaveSnapshotAsync(file);
        }

        await stop.CancelAsync();
        await Task.WhenAll(traffic);
        file.Position = 0;
        ExactMatchCache<string> loaded = new(maxSize: 2_000);

        Assert.Equal(2_000, await loaded.LoadSnapshotAsync(file));
        int checkedEntries = 0;
        for (int i = 0; i < 7_000; i++)
        {
            if (loaded.TryGet(Key(i), out string? value))
            {
                // Every entry is one the cache held: its value is the one put under its key.
                Assert.True(i < 2_000 ? value == "answer " + i : (int.Parse(value!.AsSpan(4), CultureInfo.InvariantCulture) % 5_000) == i - 2_000, $"key {i} holds {value}");
                checkedEntries++;
            }
        }

        Assert.Equal(2_000, checkedEntries);
    }

    [Fact]
    public async Task Null_arguments_are_rejected_by_name()
    {
        ExactMatchCache<string> cache = new();

        Assert.Equal("destination", (await Assert.ThrowsAsync<ArgumentNullException>(() => cache.SaveSnapshotAsync((Stream)null!))).ParamName);
        Assert.Equal("source", (await Assert.ThrowsAsync<ArgumentNullException>(() => cache.LoadSnapshotAsync((Stream)null!))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentException>(() => cache.SaveSnapshotAsync(" "))).ParamName);
        Assert.Equal("path", (await Assert.ThrowsAsync<ArgumentNullException>(() => cache.LoadSnapshotAsync((string)null!))).ParamName);
    }

    internal static async Task<MemoryStream> SaveAsync<T>(ExactMatchCache<T> cache)
    {
        MemoryStream file = new();
        await cache.SaveSnapshotAsync(file);
        file.Position = 0;
        return file;
    }
}
