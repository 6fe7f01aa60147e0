namespace ZeroAllocCache.Tests.Partitions;

/// <summary><c>Partition(name)</c>: views of one cache whose entries no other view can see or evict.</summary>
public class PartitionTests
{
    private static CacheKey Key(int i) => CacheKey.Create($"question {i}", "system", "model", 0.2f, 512);

    [Fact]
    public void Asking_twice_for_a_name_gives_the_same_partition_without_allocating()
    {
        using ExactMatchCache<string> cache = new();
        CachePartition<string> first = cache.Partition("tenant-1");

        Assert.Same(first, cache.Partition("tenant-1"));
        Assert.NotSame(first, cache.Partition("tenant-2"));
        Assert.Equal(0, Allocations.Of(() => cache.Partition("tenant-1")));
        Assert.Equal("tenant-1", first.Name);
        Assert.Same(cache, first.Cache);
    }

    [Fact]
    public void An_entry_in_one_partition_is_never_returned_by_another_partition_or_by_the_cache_itself()
    {
        using ExactMatchCache<string> cache = new();
        CachePartition<string> a = cache.Partition("a");
        CachePartition<string> b = cache.Partition("b");
        a.Put(Key(1), "a's answer");
        cache.Put(Key(2), "the cache's own");

        Assert.True(a.TryGet(Key(1), out string? found));
        Assert.Equal("a's answer", found);
        Assert.False(b.TryGet(Key(1), out _));
        Assert.False(cache.TryGet(Key(1), out _));
        Assert.False(a.TryGet(Key(2), out _));
        Assert.False(b.TryGet(Key(2), out _));
        Assert.Equal(2, b.Stats.Misses); // took the miss path like any other miss
    }

    [Fact]
    public void The_same_key_in_two_partitions_and_the_cache_is_three_entries_each_with_its_own_value()
    {
        using ExactMatchCache<string> cache = new();
        cache.Partition("a").Put(Key(1), "A");
        cache.Partition("b").Put(Key(1), "B");
        cache.Put(Key(1), "own");

        Assert.Equal(3, cache.Count);
        Assert.True(cache.Partition("a").TryGet(Key(1), out string? a));
        Assert.True(cache.Partition("b").TryGet(Key(1), out string? b));
        Assert.True(cache.TryGet(Key(1), out string? own));
        Assert.Equal(("A", "B", "own"), (a, b, own));
    }

    [Fact]
    public void Invalidate_in_a_partition_removes_only_its_entry()
    {
        using ExactMatchCache<string> cache = new();
        cache.Partition("a").Put(Key(1), "A");
        cache.Partition("b").Put(Key(1), "B");
        cache.Put(Key(1), "own");

        Assert.True(cache.Partition("a").Invalidate(Key(1)));
        Assert.False(cache.Partition("a").Invalidate(Key(1)));

        Assert.False(cache.Partition("a").TryGet(Key(1), out _));
        Assert.True(cache.Partition("b").TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(1), out _));
        Assert.True(cache.Invalidate(Key(1)));
        Assert.True(cache.Partition("b").TryGet(Key(1), out _));
    }

    [Fact]
    public void Clear_of_a_partition_removes_only_its_entries_and_resets_only_its_counters()
    {
        using ExactMatchCache<string> cache = new();
        CachePartition<string> a = cache.Partition("a");
        CachePartition<string> b = cache.Partition("b");
        for (int i = 0; i < 5; i++)
        {
            a.Put(Key(i), "A");
            b.Put(Key(i), "B");
            cache.Put(Key(i), "own");
        }

        a.TryGet(Key(0), out _);
        b.TryGet(Key(0), out _);
        b.TryGet(Key(99), out _);

        a.Clear();

        Assert.Equal(0, a.Count);
        Assert.Equal(new CacheStats(0, 0, 0, 0, 0), a.Stats);
        Assert.Equal(5, b.Count);
        Assert.Equal((1, 1), (b.Stats.Hits, b.Stats.Misses));
        Assert.Equal(10, cache.Count);
        Assert.True(cache.TryGet(Key(3), out _));
        Assert.False(a.TryGet(Key(3), out _));
    }

    [Fact]
    public void A_partitions_count_and_stats_are_its_own_and_the_caches_cover_every_partition()
    {
        using ExactMatchCache<string> cache = new();
        CachePartition<string> a = cache.Partition("a");
        a.Put(Key(1), "A");
        a.Put(Key(2), "A");
        cache.Put(Key(3), "own");
        a.TryGet(Key(1), out _);
        a.TryGet(Key(3), out _);
        cache.TryGet(Key(3), out _);

        Assert.Equal(2, a.Count);
        Assert.Equal(new CacheStats(1, 1, 2, 0, 0) { StoredBytes = 2 * CacheValueSizes.OfString("A") }, a.Stats);
        Assert.Equal(3, cache.Count);
        Assert.Equal((2, 1), (cache.Stats.Hits, cache.Stats.Misses));
        Assert.Equal("CachePartition(name=a, size=2, hit_rate=50.0%)", a.ToString());
    }

    [Fact]
    public void A_quota_filling_burst_in_one_partition_leaves_every_entry_of_another_partition_present()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 1_000, MaxSizePerPartition = 100 });
        CachePartition<string> quiet = cache.Partition("quiet");
        CachePartition<string> noisy = cache.Partition("noisy");
        for (int i = 0; i < 80; i++)
        {
            quiet.Put(Key(i), "kept");
        }

        for (int i = 0; i < 5_000; i++)
        {
            noisy.Put(Key(10_000 + i), "burst");
        }

        Assert.Equal(100, noisy.Count);
        Assert.Equal(4_900, noisy.Stats.Evictions);
        Assert.Equal(0, quiet.Stats.Evictions);
        for (int i = 0; i < 80; i++)
        {
            Assert.True(quiet.TryGet(Key(i), out _), $"quiet entry {i}");
        }

        // The burst's own most recent 100 are what it kept.
        Assert.True(noisy.TryGet(Key(14_999), out _));
        Assert.False(noisy.TryGet(Key(14_899), out _));
    }

    [Fact]
    public void A_partition_over_its_byte_quota_evicts_its_own_least_recently_used_entries()
    {
        using ExactMatchCache<byte[]> cache = new(new ExactMatchCacheOptions<byte[]> { MaxBytesPerPartition = 1_000, SizeOf = v => v.Length });
        CachePartition<byte[]> other = cache.Partition("other");
        CachePartition<byte[]> full = cache.Partition("full");
        other.Put(Key(1), new byte[900]);
        for (int i = 0; i < 4; i++)
        {
            full.Put(Key(i), new byte[300]);
        }

        Assert.Equal(3, full.Count); // 4 × 300 > 1,000: its oldest went
        Assert.False(full.TryGet(Key(0), out _));
        Assert.True(other.TryGet(Key(1), out _));
        Assert.Equal(900, other.Stats.StoredBytes);

        full.Put(Key(9), new byte[1_001]); // larger than the quota: not stored
        Assert.Equal(1, full.Stats.Rejected);
        Assert.False(full.TryGet(Key(9), out _));
    }

    [Fact]
    public async Task GetOrAddAsync_shares_a_call_within_a_partition_and_never_across_partitions()
    {
        using ExactMatchCache<string> cache = new();
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        async ValueTask<string> Factory(string partition, CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return partition;
        }

        ValueTask<string>[] a = [.. Enumerable.Range(0, 5).Select(_ => cache.Partition("a").GetOrAddAsync(Key(1), "a", Factory))];
        ValueTask<string>[] b = [.. Enumerable.Range(0, 5).Select(_ => cache.Partition("b").GetOrAddAsync(Key(1), "b", Factory))];
        ValueTask<string> own = cache.GetOrAddAsync(Key(1), "own", Factory);
        release.SetResult();

        Assert.All(await Task.WhenAll(a.Select(t => t.AsTask())), v => Assert.Equal("a", v));
        Assert.All(await Task.WhenAll(b.Select(t => t.AsTask())), v => Assert.Equal("b", v));
        Assert.Equal("own", await own);
        Assert.Equal(3, calls);
        Assert.True(cache.Partition("a").TryGet(Key(1), out string? stored));
        Assert.Equal("a", stored);
    }

    [Fact]
    public async Task Clear_of_a_partition_ends_its_calls_in_progress_but_not_another_partitions()
    {
        using ExactMatchCache<string> cache = new();
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask<string> a = cache.Partition("a").GetOrAddAsync(Key(1), release, static async (r, _) => { await r.Task; return "a"; });
        ValueTask<string> b = cache.Partition("b").GetOrAddAsync(Key(1), release, static async (r, _) => { await r.Task; return "b"; });

        cache.Partition("a").Clear();
        release.SetResult();

        Assert.Equal("a", await a); // its waiter still gets the result...
        Assert.Equal("b", await b);
        Assert.False(cache.Partition("a").TryGet(Key(1), out _)); // ...which is not stored
        Assert.True(cache.Partition("b").TryGet(Key(1), out _));
    }

    [Fact]
    public void The_caches_Clear_empties_every_partition_and_resets_its_counters()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSizePerPartition = 2 });
        CachePartition<string> a = cache.Partition("a");
        a.Put(Key(1), "A");
        a.TryGet(Key(1), out _);

        cache.Clear();

        Assert.Equal(new CacheStats(0, 0, 0, 0, 0), a.Stats);
        a.Put(Key(2), "A");
        a.Put(Key(3), "A");
        Assert.Equal(2, a.Count); // the quota counts from zero again
        Assert.Equal(0, a.Stats.Evictions);
    }

    [Fact]
    public void Partition_names_are_checked()
    {
        using ExactMatchCache<string> cache = new();

        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => cache.Partition(null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => cache.Partition("")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => cache.Partition(new string('n', ExactMatchCache<string>.MaxPartitionNameLength + 1))).ParamName);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_partitioned_hit_and_a_put_into_a_full_partition_allocate_nothing()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 4_096, MaxSizePerPartition = 64 });
        CachePartition<string> partition = cache.Partition("tenant");
        CacheKey stored = Key(1);
        partition.Put(stored, "answer");
        CacheKey[] keys = [.. Enumerable.Range(100, 256).Select(Key)];
        int next = 0;

        Assert.Equal(0, Allocations.Of(() => partition.TryGet(stored, out _)));
        Assert.Equal(0, Allocations.Of(() => partition.Put(keys[next++ & 255], "value")));
        Assert.Equal(64, partition.Count);
    }
}
