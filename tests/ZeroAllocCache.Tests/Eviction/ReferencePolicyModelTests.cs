namespace ZeroAllocCache.Tests.Eviction;

/// <summary>
/// SIEVE, S3-FIFO and W-TinyLFU driven side by side with plain, obviously correct implementations of the algorithms
/// (lists ordered newest first, searched linearly), with random lookups, puts and invalidations, compared after every step.
/// </summary>
public class ReferencePolicyModelTests
{
    private static readonly CacheKey[] Keys = [.. Enumerable.Range(0, 400).Select(k => CacheKey.Create($"q{k}", "s", "m", 0f, 1))];

    [Theory]
    [InlineData(CacheEvictionPolicy.Sieve, 1, 31)]
    [InlineData(CacheEvictionPolicy.Sieve, 8, 32)]
    [InlineData(CacheEvictionPolicy.Sieve, 20, 33)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 1, 34)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 10, 35)]
    [InlineData(CacheEvictionPolicy.S3Fifo, 25, 36)]
    [InlineData(CacheEvictionPolicy.WTinyLfu, 1, 37)]
    [InlineData(CacheEvictionPolicy.WTinyLfu, 10, 38)]
    [InlineData(CacheEvictionPolicy.WTinyLfu, 25, 39)]
    [InlineData(CacheEvictionPolicy.WTinyLfu, 200, 40)]
    public void The_policy_behaves_like_its_reference_for_thousands_of_random_steps(CacheEvictionPolicy policy, int maxSize, int seed)
    {
        using ExactMatchCache<int> cache = new(new ExactMatchCacheOptions<int> { MaxSize = maxSize, EvictionPolicy = policy });
        IReferencePolicy model = policy switch
        {
            CacheEvictionPolicy.Sieve => new ReferenceSieve(maxSize),
            CacheEvictionPolicy.S3Fifo => new ReferenceS3Fifo(maxSize),
            _ => new ReferenceWTinyLfu(maxSize),
        };
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
            if (model is ReferenceWTinyLfu segmented)
            {
                Assert.Equal(segmented.Segments, cache.WTinyLfuSegmentCounts);
            }
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

    /// <summary>
    /// W-TinyLFU with exact counts: a window LRU of a hundredth, a probation and a protected LRU (up to 80% of the rest),
    /// admission by comparing counts, and the counts of the last four times the capacity of evicted keys.
    /// </summary>
    private sealed class ReferenceWTinyLfu(int maxSize) : IReferencePolicy
    {
        private readonly List<Node> _window = [];
        private readonly List<Node> _probation = [];
        private readonly List<Node> _protected = [];
        private readonly List<ulong> _evicted = []; // oldest first
        private readonly Dictionary<ulong, int> _counts = [];

        public int Count => _window.Count + _probation.Count + _protected.Count;

        public long Evictions { get; private set; }

        public (int Window, int Probation, int Protected) Segments => (_window.Count, _probation.Count, _protected.Count);

        // Shares of the entries there are (the implementation's rule, so that a byte budget binding first is served).
        private int WindowTarget => Math.Max(1, Count / 100);

        private int ProtectedTarget => (Count - WindowTarget) * 4 / 5;

        public bool TryGet(int key, out int value)
        {
            Node? node = Find(key);
            if (node is not null)
            {
                Touch(node);
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
                Touch(node);
                return;
            }

            if (Count == maxSize)
            {
                Evict();
            }

            // Node.Mark is the key's count: its remembered requests, plus this one.
            ulong fingerprint = Keys[key].IndexBits;
            int before = _counts.GetValueOrDefault(fingerprint);
            if (_counts.ContainsKey(fingerprint))
            {
                _counts[fingerprint] = 0;
            }

            _window.Insert(0, new Node(key, value) { Mark = before + 1 });
            if (_window.Count > WindowTarget && _probation.Count + _protected.Count < Count - WindowTarget)
            {
                MoveOldest(_window, _probation);
            }
        }

        public bool Invalidate(int key)
        {
            Node? node = Find(key);
            if (node is null)
            {
                return false;
            }

            Remember(node); // an invalidated key's count is remembered as an evicted one's
            return _window.Remove(node) || _probation.Remove(node) || _protected.Remove(node);
        }

        public bool Contains(int key) => Find(key) is not null;

        private static void MoveOldest(List<Node> from, List<Node> to)
        {
            Node oldest = from[^1];
            from.RemoveAt(from.Count - 1);
            to.Insert(0, oldest);
        }

        private Node? Find(int key) =>
            _window.Find(n => n.Key == key) ?? _probation.Find(n => n.Key == key) ?? _protected.Find(n => n.Key == key);

        private void Touch(Node node)
        {
            node.Mark++;
            List<Node> list = _window.Contains(node) ? _window : _probation.Contains(node) ? _probation : _protected;
            list.Remove(node);
            (list == _window ? _window : _protected).Insert(0, node);
            if (list == _probation && _protected.Count > ProtectedTarget)
            {
                MoveOldest(_protected, _probation); // a promotion past protected's share demotes its oldest
            }
        }

        private void Evict()
        {
            while (_probation.Count == 0 && _protected.Count == 0 && _window.Count > WindowTarget)
            {
                MoveOldest(_window, _probation);
            }

            Node? candidate = _window.Count > 0 ? _window[^1] : null;
            Node? mainVictim = _probation.Count > 0 ? _probation[^1] : _protected.Count > 0 ? _protected[^1] : null;
            Node victim;
            if (mainVictim is null)
            {
                victim = candidate!;
            }
            else if (candidate is null || _window.Count < WindowTarget)
            {
                victim = mainVictim;
            }
            else if (candidate.Mark <= mainVictim.Mark)
            {
                victim = candidate;
            }
            else
            {
                MoveOldest(_window, _probation);
                victim = mainVictim;
            }

            Remember(victim);
            _ = _window.Remove(victim) || _probation.Remove(victim) || _protected.Remove(victim);
            Evictions++;
        }

        private void Remember(Node victim)
        {
            ulong fingerprint = Keys[victim.Key].IndexBits;
            if (_evicted.Count == 4 * maxSize)
            {
                ulong oldest = _evicted[0];
                _evicted.RemoveAt(0);
                if (!_evicted.Contains(oldest))
                {
                    _counts.Remove(oldest);
                }
            }

            _evicted.Add(fingerprint);
            _counts[fingerprint] = victim.Mark;
        }
    }
}
