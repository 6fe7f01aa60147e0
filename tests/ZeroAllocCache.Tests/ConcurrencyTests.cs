using System.Diagnostics;

namespace ZeroAllocCache.Tests;

[Collection(SaturatesTheCpu.Name)]
public class ConcurrencyTests
{
    [Fact]
    public void Threads_mixing_get_put_and_invalidate_keep_the_cache_consistent()
    {
        const int capacity = 32;
        const int keySpace = 100;
        ExactMatchCache<string> cache = new(maxSize: capacity);
        CacheKey[] keys = [.. Enumerable.Range(0, keySpace).Select(i => CacheKey.Create($"q{i}", "s", "m", 0f, 1))];
        string[] values = [.. Enumerable.Range(0, keySpace).Select(i => $"value of {i}")];
        int threads = Math.Max(4, Environment.ProcessorCount * 2);
        long lookups = 0;
        long wrongValues = 0;
        long oversize = 0;
        Stopwatch clock = Stopwatch.StartNew();

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, seed =>
        {
            Random random = new(seed);
            long myLookups = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(2))
            {
                int k = random.Next(keySpace);
                int roll = random.Next(10);
                if (roll < 6)
                {
                    myLookups++;
                    if (cache.TryGet(keys[k], out string? value) && !ReferenceEquals(value, values[k]))
                    {
                        Interlocked.Increment(ref wrongValues);
                    }
                }
                else if (roll < 9)
                {
                    cache.Put(keys[k], values[k]);
                }
                else
                {
                    cache.Invalidate(keys[k]);
                }

                if (cache.Count > capacity)
                {
                    Interlocked.Increment(ref oversize);
                }
            }

            Interlocked.Add(ref lookups, myLookups);
        });

        CacheStats stats = cache.Stats;
        Assert.Equal(0, wrongValues);
        Assert.Equal(0, oversize);
        Assert.Equal(lookups, stats.Hits + stats.Misses);
        Assert.InRange(stats.Size, 0, capacity);
        Assert.True(stats.Hits > 0 && stats.Misses > 0);

        // Still usable: every key can be stored and read back, the size bound holds.
        for (int k = 0; k < keySpace; k++)
        {
            cache.Put(keys[k], values[k]);
            Assert.True(cache.TryGet(keys[k], out string? value));
            Assert.Same(values[k], value);
        }

        Assert.Equal(capacity, cache.Count);
    }

    [Fact]
    public void Concurrent_puts_into_an_unbounded_cache_lose_no_entry_while_it_grows()
    {
        ExactMatchCache<int> cache = new(maxSize: 0);
        const int perThread = 5_000;
        const int threads = 4;

        Parallel.For(0, threads, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                int id = (t * perThread) + i;
                cache.Put(CacheKey.Create($"q{id}", "s", "m", 0f, 1), id);
            }
        });

        Assert.Equal(threads * perThread, cache.Count);
        for (int id = 0; id < threads * perThread; id++)
        {
            Assert.True(cache.TryGet(CacheKey.Create($"q{id}", "s", "m", 0f, 1), out int value));
            Assert.Equal(id, value);
        }
    }
}
