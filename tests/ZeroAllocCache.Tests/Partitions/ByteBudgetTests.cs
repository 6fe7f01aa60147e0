namespace ZeroAllocCache.Tests.Partitions;

/// <summary><c>MaxBytes</c>, <c>SizeOf</c> and the built-in sizes: a cache bounded by the bytes its values hold.</summary>
public class ByteBudgetTests
{
    private static CacheKey Key(int i) => CacheKey.Create($"question {i}", "system", "model", 0.2f, 512);

    [Theory]
    [InlineData(0, 2_000, 0, 0, 21)]
    [InlineData(8, 2_000, 0, 0, 22)]
    [InlineData(0, 5_000, 6, 1_500, 23)]
    [InlineData(12, 0, 4, 900, 24)]
    [InlineData(0, 3_000, 0, 1_200, 25)]
    public void The_count_bound_byte_budget_and_quotas_hold_after_every_step_as_in_a_reference_model(
        int maxSize, long maxBytes, int maxSizePerPartition, long maxBytesPerPartition, int seed)
    {
        using ExactMatchCache<byte[]> cache = new(new ExactMatchCacheOptions<byte[]>
        {
            MaxSize = maxSize,
            MaxBytes = maxBytes,
            MaxSizePerPartition = maxSizePerPartition,
            MaxBytesPerPartition = maxBytesPerPartition,
            SizeOf = value => value.Length,
        });
        ReferenceBudgetModel model = new(maxSize, maxBytes, maxSizePerPartition, maxBytesPerPartition);
        string?[] partitions = [null, "a", "a:b", "b"];
        Random random = new(seed);

        for (int step = 0; step < 6_000; step++)
        {
            string? name = partitions[random.Next(partitions.Length)];
            CachePartition<byte[]>? partition = name is null ? null : cache.Partition(name);
            int k = random.Next(30);
            int roll = random.Next(100);
            if (roll < 40)
            {
                bool hit = partition is null ? cache.TryGet(Key(k), out byte[]? value) : partition.TryGet(Key(k), out value);
                Assert.Equal(model.TryGet(name, k, out int expected), hit);
                if (hit)
                {
                    Assert.Equal(expected, BitConverter.ToInt32(value!));
                }
            }
            else if (roll < 90)
            {
                // Mostly small values, now and then one past a quota or the whole budget.
                int size = random.Next(100) < 90 ? random.Next(4, 400) : random.Next(400, 6_000);
                byte[] value = new byte[size];
                BitConverter.TryWriteBytes(value, step);
                if (partition is null)
                {
                    cache.Put(Key(k), value);
                }
                else
                {
                    partition.Put(Key(k), value);
                }

                model.Put(name, k, step, size);
            }
            else
            {
                bool removed = partition is null ? cache.Invalidate(Key(k)) : partition.Invalidate(Key(k));
                Assert.Equal(model.Invalidate(name, k), removed);
            }

            CacheStats stats = cache.Stats;
            Assert.Equal(model.Entries.Count, stats.Size);
            Assert.Equal(model.Bytes, stats.StoredBytes);
            Assert.Equal(model.Evictions, stats.Evictions);
            Assert.Equal(model.Rejected, stats.Rejected);
            Assert.True(maxBytes == 0 || stats.StoredBytes <= maxBytes);
            Assert.True(maxSize == 0 || stats.Size <= maxSize);
            foreach (string? each in partitions.Where(p => p is not null))
            {
                CacheStats own = cache.Partition(each!).Stats;
                Assert.Equal(model.CountOf(each), own.Size);
                Assert.Equal(model.BytesOf(each), own.StoredBytes);
                Assert.True(maxBytesPerPartition == 0 || own.StoredBytes <= maxBytesPerPartition);
                Assert.True(maxSizePerPartition == 0 || own.Size <= maxSizePerPartition);
            }
        }
    }

    [Fact]
    public void A_value_larger_than_the_whole_budget_is_not_stored_and_is_counted_as_rejected()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxBytes = 1_000 });
        cache.Put(Key(1), "small");
        cache.Put(Key(2), "older value");

        cache.Put(Key(2), new string('x', 600)); // 1,224 bytes as a string

        Assert.True(cache.TryGet(Key(1), out _));
        Assert.False(cache.TryGet(Key(2), out _)); // not the new value, and not the stale one either
        Assert.Equal(1, cache.Stats.Rejected);
        Assert.Equal(CacheValueSizes.OfString("small"), cache.Stats.StoredBytes);
    }

    [Fact]
    public void Storing_past_the_budget_evicts_the_least_recently_used_until_the_value_fits()
    {
        using ExactMatchCache<byte[]> cache = new(new ExactMatchCacheOptions<byte[]> { MaxBytes = 300, SizeOf = v => v.Length });
        cache.Put(Key(1), new byte[100]);
        cache.Put(Key(2), new byte[100]);
        cache.Put(Key(3), new byte[100]);
        Assert.True(cache.TryGet(Key(1), out _)); // 2 is now the least recently used

        cache.Put(Key(4), new byte[150]);

        Assert.False(cache.TryGet(Key(2), out _));
        Assert.False(cache.TryGet(Key(3), out _));
        Assert.True(cache.TryGet(Key(1), out _));
        Assert.True(cache.TryGet(Key(4), out _));
        Assert.Equal(250, cache.Stats.StoredBytes);
        Assert.Equal(2, cache.Stats.Evictions);
    }

    [Fact]
    public void Invalidate_clear_and_replacement_keep_the_stored_bytes_exact()
    {
        using ExactMatchCache<byte[]> cache = new(new ExactMatchCacheOptions<byte[]> { SizeOf = v => v.Length });
        cache.Put(Key(1), new byte[10]);
        cache.Put(Key(2), new byte[20]);
        cache.Put(Key(1), new byte[5]);
        Assert.Equal(25, cache.Stats.StoredBytes);

        cache.Invalidate(Key(2));
        Assert.Equal(5, cache.Stats.StoredBytes);

        cache.Clear();
        Assert.Equal(0, cache.Stats.StoredBytes);
    }

    [Fact]
    public void The_built_in_sizes_count_a_strings_and_an_arrays_header_and_contents()
    {
        Assert.Equal(24, CacheValueSizes.OfString(""));        // 16 header + 4 length + 2 terminator, to 8
        Assert.Equal(32, CacheValueSizes.OfString("abc"));     // + 6
        Assert.Equal(2_072, CacheValueSizes.OfString(new string('x', 1_024)));
        Assert.Equal(24, CacheValueSizes.OfByteArray([]));
        Assert.Equal(1_048, CacheValueSizes.OfByteArray(new byte[1_024]));
        Assert.Equal(0, CacheValueSizes.OfString(null));
        Assert.True(CacheValueSizes.TryGet(out Func<string, long>? ofString));
        Assert.Equal(32, ofString("abc"));
    }

    [Fact]
    public void A_byte_budget_for_a_type_with_no_size_estimate_fails_when_the_cache_is_built_naming_SizeOf()
    {
        ArgumentOutOfRangeException thrown = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<Uri>(new ExactMatchCacheOptions<Uri> { MaxBytes = 1_000 }));

        Assert.Equal("SizeOf", thrown.ParamName);
        Assert.Contains("System.Uri", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxBytes")]
    [InlineData("MaxBytesPerPartition")]
    [InlineData("MaxSizePerPartition")]
    public void A_negative_budget_or_quota_is_refused_naming_it(string option)
    {
        ExactMatchCacheOptions<string> options = new();
        switch (option)
        {
            case "MaxBytes": options.MaxBytes = -1; break;
            case "MaxBytesPerPartition": options.MaxBytesPerPartition = -1; break;
            default: options.MaxSizePerPartition = -1; break;
        }

        ArgumentOutOfRangeException thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new ExactMatchCache<string>(options));
        Assert.Equal(option, thrown.ParamName);
    }

    [Fact]
    public void A_negative_size_from_SizeOf_throws_and_stores_nothing()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { SizeOf = _ => -1 });

        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() => cache.Put(Key(1), "v"));

        Assert.Contains("SizeOf returned -1", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_put_into_a_full_byte_budget_allocates_nothing()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 0, MaxBytes = 64 * 40 });
        string value = new('v', 20);
        CacheKey[] keys = [.. Enumerable.Range(0, 256).Select(Key)];
        int next = 0;

        long allocated = Allocations.Of(() => cache.Put(keys[next++ & 255], value));

        Assert.Equal(0, allocated);
        Assert.True(cache.Stats.StoredBytes <= 64 * 40);
    }
}
