using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests;

/// <summary>
/// Drives the cache and a plain reference LRU (a list ordered by recency) with the same random operations and
/// compares them after every step.
/// </summary>
public class ReferenceLruModelTests
{
    [Theory]
    [InlineData(1, 11)]
    [InlineData(4, 12)]
    [InlineData(16, 13)]
    [InlineData(0, 14)]
    public void The_cache_behaves_like_a_reference_LRU_for_thousands_of_random_steps(int maxSize, int seed)
    {
        FakeTimeProvider clock = new();
        TimeSpan ttl = TimeSpan.FromSeconds(30);
        ExactMatchCache<int> cache = new(maxSize, ttl, clock);
        ReferenceLru model = new(maxSize, ttl);
        Random random = new(seed);
        const int keySpace = 40;

        for (int step = 0; step < 20_000; step++)
        {
            int k = random.Next(keySpace);
            CacheKey key = CacheKey.Create($"q{k}", "s", "m", 0f, 1);
            int roll = random.Next(100);
            if (roll < 45)
            {
                bool hit = cache.TryGet(key, out int value);
                bool expectedHit = model.TryGet(k, clock.GetUtcNow(), out int expected);
                Assert.Equal(expectedHit, hit);
                Assert.Equal(expected, value);
            }
            else if (roll < 85)
            {
                cache.Put(key, step);
                model.Put(k, step, clock.GetUtcNow());
            }
            else if (roll < 95)
            {
                Assert.Equal(model.Invalidate(k), cache.Invalidate(key));
            }
            else if (roll < 99)
            {
                clock.Advance(TimeSpan.FromSeconds(random.Next(1, 12)));
            }
            else
            {
                cache.Clear();
                model.Clear();
            }

            Assert.Equal(model.Stats, cache.Stats);
        }
    }

    private sealed class ReferenceLru(int maxSize, TimeSpan ttl)
    {
        // Most recently used first.
        private readonly List<(int Key, int Value, DateTimeOffset StoredAt)> _entries = [];
        private long _hits, _misses, _evictions, _expirations;

        public CacheStats Stats => new(_hits, _misses, _entries.Count, _evictions, _expirations);

        public bool TryGet(int key, DateTimeOffset now, out int value)
        {
            int i = _entries.FindIndex(e => e.Key == key);
            if (i >= 0 && now - _entries[i].StoredAt > ttl)
            {
                _entries.RemoveAt(i);
                _expirations++;
                i = -1;
            }

            if (i < 0)
            {
                _misses++;
                value = 0;
                return false;
            }

            var entry = _entries[i];
            _entries.RemoveAt(i);
            _entries.Insert(0, entry);
            _hits++;
            value = entry.Value;
            return true;
        }

        public void Put(int key, int value, DateTimeOffset now)
        {
            int i = _entries.FindIndex(e => e.Key == key);
            if (i >= 0)
            {
                _entries.RemoveAt(i);
            }
            else if (maxSize > 0 && _entries.Count == maxSize)
            {
                _entries.RemoveAt(_entries.Count - 1);
                _evictions++;
            }

            _entries.Insert(0, (key, value, now));
        }

        public bool Invalidate(int key) => _entries.RemoveAll(e => e.Key == key) > 0;

        public void Clear()
        {
            _entries.Clear();
            _hits = _misses = _evictions = _expirations = 0;
        }
    }
}
