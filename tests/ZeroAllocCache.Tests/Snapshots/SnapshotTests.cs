using System.Globalization;
using System.Text;

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
        string path = Path.Combine(Path.GetTempPath(), $"never-written-{Guid.NewGuid():N}.snapshot");

        Exception[] errors =
        [
            await Assert.ThrowsAsync<InvalidOperationException>(() => cache.SaveSnapshotAsync(new MemoryStream())),
            await Assert.ThrowsAsync<InvalidOperationException>(() => cache.LoadSnapshotAsync(new MemoryStream())),
            await Assert.ThrowsAsync<InvalidOperationException>(() => cache.SaveSnapshotAsync(path)),
            await Assert.ThrowsAsync<InvalidOperationException>(() => cache.LoadSnapshotAsync(path)),
        ];

        Assert.All(errors, error => Assert.Contains("System.Uri", error.Message, StringComparison.Ordinal));
        Assert.False(File.Exists(path));
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
    public async Task Ages_go_on_across_a_restart_whose_clock_counts_timestamps_from_elsewhere()
    {
        FakeTimeProvider before = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = before });
        saved.Put(Key(1), "answer");
        before.Advance(TimeSpan.FromMinutes(20));
        using MemoryStream file = await SaveAsync(saved);

        // A new process: the same wall clock five minutes on, a monotonic clock that started somewhere else.
        RestartedClock after = new(before.GetUtcNow() + TimeSpan.FromMinutes(5), timestampOffset: -123_456_789_000);
        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = after });
        await loaded.LoadSnapshotAsync(file);

        Assert.True(loaded.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.Equal(TimeSpan.FromMinutes(25), info.Age);
        after.Advance(TimeSpan.FromMinutes(35));
        Assert.True(loaded.TryGet(Key(1), out _));
        after.Advance(TimeSpan.FromTicks(1));
        Assert.False(loaded.TryGet(Key(1), out _));
    }

    [Fact]
    public async Task An_entry_from_the_first_year_of_the_calendar_loads_into_a_cache_without_TTL_with_a_sane_age_and_saves_again()
    {
        ExactMatchCache<string> saved = new();
        saved.Put(Key(1), "ancient");
        using MemoryStream original = await SaveAsync(saved);
        byte[] snapshot = original.ToArray();
        BitConverter.TryWriteBytes(snapshot.AsSpan(SnapshotBytes.FirstEntry(snapshot) + SnapshotBytes.CreatedInEntry), 0L);
        ExactMatchCache<string> loaded = new();

        Assert.Equal(1, await loaded.LoadSnapshotAsync(new MemoryStream(SnapshotBytes.WithChecksum(snapshot))));

        Assert.True(loaded.TryGetEntryInfo(Key(1), out CacheEntryInfo info));
        Assert.InRange(info.Age, TimeSpan.FromDays(365 * 99), TimeSpan.FromDays(365 * 101)); // a century, the most an age can be
        using MemoryStream again = await SaveAsync(loaded);
        Assert.Equal(1, await new ExactMatchCache<string>().LoadSnapshotAsync(again));
    }

    [Fact]
    public async Task The_whole_LRU_order_comes_back()
    {
        ExactMatchCache<string> saved = new(maxSize: 8);
        for (int i = 0; i < 8; i++)
        {
            saved.Put(Key(i), "answer " + i);
        }

        foreach (int i in (int[])[3, 6, 0, 3])
        {
            saved.TryGet(Key(i), out _);
        }

        using MemoryStream file = await SaveAsync(saved);
        ExactMatchCache<string> loaded = new(maxSize: 8);
        await loaded.LoadSnapshotAsync(file);

        // Least recent first: 1, 2, 4, 5, 7 in the order they were put, then 6, 0, 3 in the order they were hit.
        Assert.Equal([1, 2, 4, 5, 7, 6, 0, 3], EvictionOrder(loaded, 8));
    }

    [Fact]
    public async Task In_a_bounded_cache_with_live_entries_the_live_ones_keep_their_place_and_the_most_recent_loaded_fill_the_rest()
    {
        ExactMatchCache<string> saved = new(maxSize: 10);
        for (int i = 0; i < 10; i++)
        {
            saved.Put(Key(i), "saved " + i);
        }

        using MemoryStream file = await SaveAsync(saved);
        ExactMatchCache<string> live = new(maxSize: 5);
        live.Put(Key(100), "live");
        live.Put(Key(101), "live");

        Assert.Equal(3, await live.LoadSnapshotAsync(file));

        // Least recent first: the loaded 7, 8, 9 behind the live 100, 101.
        Assert.Equal([7, 8, 9, 100, 101], EvictionOrder(live, 5));
    }

    [Fact]
    public async Task A_key_invalidated_while_a_load_reads_is_not_brought_back_by_it()
    {
        ExactMatchCache<string> saved = new();
        for (int i = 0; i < 100; i++)
        {
            saved.Put(Key(i), "saved " + i);
        }

        byte[] snapshot = (await SaveAsync(saved)).ToArray();
        ExactMatchCache<string> cache = new();
        using ControlledStream source = new(new MemoryStream(snapshot), snapshot.Length / 2) { HoldWhenReached = true };
        Task<int> load = cache.LoadSnapshotAsync(source);
        await source.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        cache.Invalidate(Key(42));
        source.Release();

        Assert.Equal(99, await load);
        Assert.False(cache.TryGet(Key(42), out _));
        Assert.True(cache.TryGet(Key(41), out _));
    }

    [Fact]
    public async Task A_cache_cleared_while_a_load_reads_gets_nothing_from_it()
    {
        ExactMatchCache<string> saved = new();
        for (int i = 0; i < 100; i++)
        {
            saved.Put(Key(i), "saved " + i);
        }

        byte[] snapshot = (await SaveAsync(saved)).ToArray();
        ExactMatchCache<string> cache = new();
        using ControlledStream source = new(new MemoryStream(snapshot), snapshot.Length / 2) { HoldWhenReached = true };
        Task<int> load = cache.LoadSnapshotAsync(source);
        await source.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        cache.Clear();
        cache.Put(Key(1), "after the clear");
        source.Release();

        Assert.Equal(0, await load);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(Key(1), out string? value));
        Assert.Equal("after the clear", value);
    }

    [Fact]
    public async Task While_a_save_waits_on_its_stream_hits_puts_and_invalidations_go_on_and_the_file_holds_the_entries_of_the_moment_it_began()
    {
        ExactMatchCache<string> cache = new(maxSize: 1_000);
        for (int i = 0; i < 500; i++)
        {
            cache.Put(Key(i), new string('a', 4_000)); // 2 MB: the save fills both of its buffers
        }

        MemoryStream written = new();
        using ControlledStream destination = new(written, after: 0) { HoldWhenReached = true };
        Task save = cache.SaveSnapshotAsync(destination);

        Task traffic = Task.Run(() =>
        {
            Assert.True(cache.TryGet(Key(1), out _));
            cache.Put(Key(1_000), "put during the save");
            cache.Invalidate(Key(2));
        });
        Assert.Same(traffic, await Task.WhenAny(traffic, Task.Delay(TimeSpan.FromSeconds(10))));
        await traffic;
        Assert.False(save.IsCompleted);
        destination.Release();
        await save;

        written.Position = 0;
        ExactMatchCache<string> loaded = new(maxSize: 1_000);
        Assert.Equal(500, await loaded.LoadSnapshotAsync(written));
        Assert.True(loaded.TryGet(Key(2), out _));
        Assert.False(loaded.TryGet(Key(1_000), out _));
    }

    [Fact]
    public async Task The_serializer_is_named_without_assembly_versions_so_a_snapshot_survives_an_upgrade()
    {
        ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { Serializer = new TaggedSerializer<List<int>>() });
        cache.Put(Key(1), "answer");
        byte[] snapshot = (await SaveAsync(cache)).ToArray();

        int typeLength = BitConverter.ToUInt16(snapshot, 12);
        int serializerLength = BitConverter.ToUInt16(snapshot, 14 + typeLength);
        string serializer = Encoding.UTF8.GetString(snapshot, 16 + typeLength, serializerLength);

        Assert.Contains("TaggedSerializer`1<[System.Private.CoreLib]System.Collections.Generic.List`1<", serializer, StringComparison.Ordinal);
        Assert.DoesNotContain("Version=", serializer, StringComparison.Ordinal);
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

    // Puts new keys into a full cache one at a time and reports which loaded key each put evicts: the LRU order, least
    // recent first, read without a lookup that would change it.
    private static List<int> EvictionOrder(ExactMatchCache<string> cache, int size)
    {
        List<int> order = [];
        HashSet<int> present = [.. Enumerable.Range(0, 1_000).Where(i => cache.TryGetEntryInfo(Key(i), out _))];
        for (int n = 0; n < size; n++)
        {
            cache.Put(Key(10_000 + n), "filler");
            int evicted = Assert.Single(present, i => !cache.TryGetEntryInfo(Key(i), out _));
            order.Add(evicted);
            present.Remove(evicted);
        }

        return order;
    }

    internal static async Task<MemoryStream> SaveAsync<T>(ExactMatchCache<T> cache)
    {
        MemoryStream file = new();
        await cache.SaveSnapshotAsync(file);
        file.Position = 0;
        return file;
    }

    // A clock whose timestamps count from another origin than the wall clock's, as a new process's may.
    private sealed class RestartedClock(DateTimeOffset now, long timestampOffset) : FakeTimeProvider(now)
    {
        public override long GetTimestamp() => base.GetTimestamp() + timestampOffset;
    }

    // A string serializer with a generic argument: its name has one, which must carry no assembly version.
    private sealed class TaggedSerializer<TTag> : Microsoft.Extensions.Caching.Hybrid.IHybridCacheSerializer<string>
    {
        public string Deserialize(System.Buffers.ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

        public void Serialize(string value, System.Buffers.IBufferWriter<byte> target) => Encoding.UTF8.GetBytes(value, target);
    }
}
