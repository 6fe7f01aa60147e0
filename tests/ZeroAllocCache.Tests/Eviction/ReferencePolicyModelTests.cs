namespace ZeroAllocCache.Tests.Eviction;

/// <summary>
/// SIEVE and S3-FIFO driven side by side with plain, obviously correct implementations of the papers' algorithms (lists
/// ordered newest first, searched linearly), with random lookups, puts and invalidations, compared after every step.
/// </summary>
public class ReferencePolicyModelTests
{
    private static readonly CacheKey[] Keys = [.. Enumerable.Range(0, 64).Select(k => CacheKey.Create($"q{k}", "s", "m", 0f, 1))];

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve, 1, 31)]
    [InlineData(CacheEvictionPolicy.Sieve, 8, 32)]
    [InlineData(CacheEvictionPolicy.Sieve, 20, 33)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 1, 34)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 10, 35)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 25, 36)]
    public void The_policy_behaves_like_its_reference_for_thousands_of_random_steps(CacheEvictionPolicy policy, int maxSize, int seed)
    {
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = maxSize, EvictionPolicy = policy });
        IReferencePolicy model = policy == CacheEvictionPolicy.Sieve ? new ReferenceSieve(maxSize) : new ReferenceS3Fifo(maxSize);
        Random random = new(seed);

        for (int step = 0; step < 20_000; step++)
        {
            // Skewed keys, so that some are asked again and again and most rarely.
            int k = random.Next(100) < 60 ? random.Next(8) : random.Next(Keys.Length);
            int roll = random.Next(100);
            if (roll < 50)
            {
                bool hit = cache.TryGet(Keys[k], out int value);
                Assert.Equal(model.TryGet(k, out int expected), hit);
                Assert.Equal(expected, value);
            }
            else if (roll < 92)
            {
                cache.Put(Keys[k], step);
                model.Put(k, step);
            }
            else
            {
                Assert.Equal(model.Invalidate(k), cache.Invalidate(Keys[k]));
            }

            Assert.Equal(model.Count, cache.Count);
            Assert.Equal(model.Evictions, cache.Stats.Evictions);
            if (step % 97 == 0)
            {
                for (int key = 0; key < Keys.Length; key++)
                {
                    Assert.Equal(model.Contains(key), cache.TryGetEntryInfo(Keys[key], out _));
                }
            }
        }
    }

    private interface IReferencePolicy
    {
        int Count { get; }

        long Evictions { get; }

        bool TryGet(int key, out int value);

        void Put(int key, int value);

        bool Invalidate(int key);

        bool Contains(int key);
    }

    private sealed class Node(int key, int value)
    {
        public int Key { get; } = key;

        public int Value { get; set; } = value;

        public int Mark { get; set; }
    }

    /// <summary>SIEVE: a FIFO (index 0 newest), a visited bit, a hand from the oldest towards the newest.</summary>
    private sealed class ReferenceSieve(int maxSize) : IReferencePolicy
    {
        private readonly List<Node> _queue = [];
        private Node? _hand;

        public int Count => _queue.Count;

        public long Evictions { get; private set; }

        public bool TryGet(int key, out int value)
        {
            Node? node = _queue.Find(n => n.Key == key);
            node?.Mark = 1;
            value = node?.Value ?? 0;
            return node is not null;
        }

        public void Put(int key, int value)
        {
            Node? node = _queue.Find(n => n.Key == key);
            if (node is not null)
            {
                node.Value = value;
                node.Mark = 1;
                return;
            }

            if (_queue.Count == maxSize)
            {
                Node victim = _hand ?? _queue[^1];
                while (victim.Mark == 1)
                {
                    victim.Mark = 0;
                    victim = Newer(victim) ?? _queue[^1];
                }

                _hand = Newer(victim);
                _queue.Remove(victim);
                Evictions++;
            }

            _queue.Insert(0, new Node(key, value));
        }

        public bool Invalidate(int key)
        {
            Node? node = _queue.Find(n => n.Key == key);
            if (node is null)
            {
                return false;
            }

            if (_hand == node)
            {
                _hand = Newer(node);
            }

            return _queue.Remove(node);
        }

        public bool Contains(int key) => _queue.Exists(n => n.Key == key);

        private Node? Newer(Node node)
        {
            int i = _queue.IndexOf(node);
            return i > 0 ? _queue[i - 1] : null;
        }
    }

    /// <summary>S3-FIFO: a small FIFO of a tenth, a main FIFO with 2-bit frequencies, a ghost FIFO of key fingerprints.</summary>
    private sealed class ReferenceS3Fifo(int maxSize) : IReferencePolicy
    {
        private readonly List<Node> _small = [];
        private readonly List<Node> _main = [];
        private readonly List<ulong> _ghost = [];
        private readonly int _ghostCapacity = Math.Max(1, maxSize - (maxSize / 10));

        public int Count => _small.Count + _main.Count;

        public long Evictions { get; private set; }

        public bool TryGet(int key, out int value)
        {
            Node? node = Find(key);
            if (node is not null)
            {
                node.Mark = Math.Min(node.Mark + 1, 3);
            }

            value = node?.Value ?? 0;
            return node is not null;
        }

        public void Put(int key, int value)
        {
            Node? node = Find(key);
            if (node is not null)
            {
                node.Value = value;
                node.Mark = Math.Min(node.Mark + 1, 3);
                return;
            }

            if (Count == maxSize)
            {
                Evict();
            }

            (_ghost.Contains(Fingerprint(key)) ? _main : _small).Insert(0, new Node(key, value));
        }

        public bool Invalidate(int key) => _small.RemoveAll(n => n.Key == key) + _main.RemoveAll(n => n.Key == key) > 0;

        public bool Contains(int key) => Find(key) is not null;

        private static ulong Fingerprint(int key) => Keys[key].IndexBits;

        private Node? Find(int key) => _small.Find(n => n.Key == key) ?? _main.Find(n => n.Key == key);

        private void Evict()
        {
            while (true)
            {
                if (_small.Count > 0 && (_small.Count > Math.Max(1, maxSize / 10) || _main.Count == 0))
                {
                    Node tail = _small[^1];
                    _small.RemoveAt(_small.Count - 1);
                    if (tail.Mark == 0)
                    {
                        _ghost.Add(Fingerprint(tail.Key));
                        if (_ghost.Count > _ghostCapacity)
                        {
                            _ghost.RemoveAt(0);
                        }

                        Evictions++;
                        return;
                    }

                    tail.Mark = 0;
                    _main.Insert(0, tail);
                    continue;
                }

                Node oldest = _main[^1];
                _main.RemoveAt(_main.Count - 1);
                if (oldest.Mark == 0)
                {
                    Evictions++;
                    return;
                }

                oldest.Mark--;
                _main.Insert(0, oldest);
            }
        }
    }
}
