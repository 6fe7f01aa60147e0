using System.Diagnostics;

namespace ZeroAllocCache.Tests.Eviction;

/// <summary>
/// Hits without the lock under SIEVE and S3-FIFO, racing puts, evictions, invalidations and clears on other threads:
/// every value encodes the key (and partition) it was stored under, and every hit checks it.
/// </summary>
[Collection(SaturatesTheCpu.Name)]
public class LockFreeHitStressTests
{
    private const int Threads = 4;
    private const int KeySpace = 96;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1);

    private static readonly CacheKey[] Keys = [.. Enumerable.Range(0, KeySpace).Select(k => CacheKey.Create($"q{k}", "s", "m", 0f, 1))];
    private static readonly string[] Partitions = ["a", "b"];

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve, false)]
    [InlineData(CacheEvictionPolicy.S3Fifo, false)]
    [InlineData(CacheEvictionPolicy.Sieve, true)]
    [InlineData(CacheEvictionPolicy.S3Fifo, true)]
    public void A_hit_never_returns_another_keys_value_while_other_threads_change_the_cache(CacheEvictionPolicy policy, bool withTtl)
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string>
        {
            MaxSize = 24, // far fewer slots than keys: slots are reused all the time
            EvictionPolicy = policy,
            Ttl = withTtl ? TimeSpan.FromHours(1) : null,
        });
        long hits = 0;
        string? wrong = null;
        Stopwatch clock = Stopwatch.StartNew();

        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            Random random = new(t);
            long localHits = 0;
            while (clock.Elapsed < Duration && Volatile.Read(ref wrong) is null)
            {
                int k = random.Next(100) < 50 ? random.Next(8) : random.Next(KeySpace);
                int p = random.Next(3) - 1; // -1: the cache's own entries
                CachePartition<string>? partition = p < 0 ? null : cache.Partition(Partitions[p]);
                string expectedPrefix = Encode(k, p);
                int roll = random.Next(1_000);
                if (roll < 600)
                {
                    bool hit = partition is null ? cache.TryGet(Keys[k], out string? value) : partition.TryGet(Keys[k], out value);
                    if (hit)
                    {
                        localHits++;
                        if (value is null || !value.StartsWith(expectedPrefix, StringComparison.Ordinal))
                        {
                            Interlocked.CompareExchange(ref wrong, $"asked {expectedPrefix}, got {value ?? "null"}", null);
                        }
                    }
                }
                else if (roll < 950)
                {
                    string value = expectedPrefix + random.Next();
                    if (partition is null)
                    {
                        cache.Put(Keys[k], value);
                    }
                    else
                    {
                        partition.Put(Keys[k], value);
                    }
                }
                else if (roll < 999)
                {
                    _ = partition is null ? cache.Invalidate(Keys[k]) : partition.Invalidate(Keys[k]);
                }
                else
                {
                    cache.Clear();
                }
            }

            Interlocked.Add(ref hits, localHits);
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Null(wrong);
        Assert.True(hits > 10_000, $"only {hits} hits: the race was hardly run");
    }

    [Fact]
    public void A_lock_free_hit_counts_like_a_locked_one_on_one_thread()
    {
        using ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string> { MaxSize = 16, EvictionPolicy = CacheEvictionPolicy.Sieve });
        cache.Put(Keys[1], "v");

        for (int i = 0; i < 10; i++)
        {
            Assert.True(cache.TryGet(Keys[1], out _));
        }

        cache.TryGet(Keys[2], out _);
        Assert.Equal((10, 1), (cache.Stats.Hits, cache.Stats.Misses));
        Assert.True(cache.TryGetEntryInfo(Keys[1], out CacheEntryInfo info));
        Assert.Equal(10, info.HitCount);

        cache.Clear();
        Assert.Equal(0, cache.Stats.Hits);
    }

    private static string Encode(int key, int partition) => $"{(partition < 0 ? "own" : Partitions[partition])}/q{key}:";
}
