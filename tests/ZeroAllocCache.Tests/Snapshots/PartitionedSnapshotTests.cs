using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>Snapshots of partitioned caches and of entries with TTLs of their own.</summary>
public class PartitionedSnapshotTests
{
    private static CacheKey Key(int i) => CacheKey.Create("question " + i, "system", "model", 0.2f, 256);

    [Fact]
    public async Task Each_partitions_entries_come_back_into_that_partition_only()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { TimeProvider = clock });
        saved.Put(Key(1), "own");
        saved.Partition("a").Put(Key(1), "A");
        saved.Partition("a:b").Put(Key(1), "AB");
        saved.Partition("a").Put(Key(2), "A2");
        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;

        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { TimeProvider = clock });
        Assert.Equal(4, await loaded.LoadSnapshotAsync(file));

        Assert.Equal("own", Value(loaded.TryGet(Key(1), out string? own), own));
        Assert.Equal("A", Value(loaded.Partition("a").TryGet(Key(1), out string? a), a));
        Assert.Equal("AB", Value(loaded.Partition("a:b").TryGet(Key(1), out string? ab), ab));
        Assert.Equal(2, loaded.Partition("a").Count);
        Assert.False(loaded.Partition("b").TryGet(Key(1), out _));
        Assert.False(loaded.TryGet(Key(2), out _));
    }

    [Fact]
    public async Task An_entrys_own_ttl_goes_on_after_a_load()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        ExactMatchCache<string> saved = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        saved.Partition("p").Put(Key(1), "ten minutes", TimeSpan.FromMinutes(10));
        saved.Put(Key(2), "a day", TimeSpan.FromDays(1));
        clock.Advance(TimeSpan.FromMinutes(6));
        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;

        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { Ttl = TimeSpan.FromHours(1), TimeProvider = clock });
        await loaded.LoadSnapshotAsync(file);
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(loaded.Partition("p").TryGet(Key(1), out _)); // 9 minutes old

        clock.Advance(TimeSpan.FromHours(2));
        Assert.False(loaded.Partition("p").TryGet(Key(1), out _));
        Assert.True(loaded.TryGet(Key(2), out _)); // its own day, past the cache's hour
    }

    [Fact]
    public async Task Loading_into_a_cache_with_quotas_keeps_each_partitions_most_recently_used()
    {
        ExactMatchCache<string> saved = new(maxSize: 100);
        for (int i = 0; i < 10; i++)
        {
            saved.Partition("a").Put(Key(i), "A" + i);
            saved.Partition("b").Put(Key(i), "B" + i);
        }

        using MemoryStream file = new();
        await saved.SaveSnapshotAsync(file);
        file.Position = 0;

        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { MaxSize = 100, MaxSizePerPartition = 3 });
        Assert.Equal(6, await loaded.LoadSnapshotAsync(file));

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i >= 7, loaded.Partition("a").TryGet(Key(i), out _));
            Assert.Equal(i >= 7, loaded.Partition("b").TryGet(Key(i), out _));
        }
    }

    [Fact]
    public async Task A_partition_cleared_while_a_load_reads_gets_nothing_from_it()
    {
        ExactMatchCache<string> saved = new();
        saved.Partition("a").Put(Key(1), "A");
        saved.Partition("b").Put(Key(1), "B");
        using MemoryStream bytes = new();
        await saved.SaveSnapshotAsync(bytes);

        byte[] snapshot = bytes.ToArray();
        ExactMatchCache<string> loaded = new();
        using ControlledStream source = new(new MemoryStream(snapshot), snapshot.Length / 2) { HoldWhenReached = true };
        Task<int> load = loaded.LoadSnapshotAsync(source);
        await source.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        loaded.Partition("a").Clear();
        source.Release();

        Assert.Equal(1, await load);
        Assert.False(loaded.Partition("a").TryGet(Key(1), out _));
        Assert.True(loaded.Partition("b").TryGet(Key(1), out _));
    }

    private static string? Value(bool found, string? value) => found ? value : null;
}
