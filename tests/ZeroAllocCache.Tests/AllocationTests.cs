namespace ZeroAllocCache.Tests;

/// <summary>
/// Every path the cache promises not to allocate on, measured with the thread's allocation counter around a
/// warmed-up loop.
/// </summary>
public class AllocationTests
{
    private static readonly string SystemPrompt = new('s', 600);
    private static readonly string UserMessage = new('u', 430);

    [Fact]
    public void CacheKey_Create_allocates_nothing()
    {
        Assert.Equal(0, Allocations.Of(() => CacheKey.Create(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512)));
    }

    [Fact]
    public void CacheKey_Create_of_a_10_MB_prompt_allocates_nothing_after_warm_up()
    {
        string prompt = new('p', 10_000_000);

        Assert.Equal(0, Allocations.Of(() => CacheKey.Create(UserMessage, prompt, "gpt-4o", 0.2f, 512), iterations: 5));
    }

    [Fact]
    public void The_managed_fallback_hashes_a_10_MB_prompt_without_allocating_after_warm_up()
    {
        ManagedChatRequest request = new(UserMessage, new string('p', 10_000_000));

        Assert.Equal(0, Allocations.Of(() => CacheKey.Create(request, Hashing.KeyHashing.Managed), iterations: 5));
    }

    [Fact]
    public void TryGet_hit_allocates_nothing()
    {
        ExactMatchCache<string> cache = new();
        cache.Put(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512, "answer");

        Assert.Equal(0, Allocations.Of(() => cache.TryGet(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512, out _)));
    }

    [Fact]
    public void TryGet_hit_on_a_precomputed_key_with_a_ttl_allocates_nothing()
    {
        ExactMatchCache<string> cache = new(ttl: TimeSpan.FromHours(1));
        CacheKey key = CacheKey.Create(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512);
        cache.Put(key, "answer");

        Assert.Equal(0, Allocations.Of(() => cache.TryGet(key, out _)));
    }

    [Fact]
    public void TryGet_miss_allocates_nothing()
    {
        ExactMatchCache<string> cache = new();

        Assert.Equal(0, Allocations.Of(() => cache.TryGet(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512, out _)));
    }

    [Fact]
    public void Put_of_a_new_key_into_a_full_cache_allocates_nothing()
    {
        const int capacity = 64;
        ExactMatchCache<string> cache = new(maxSize: capacity);
        CacheKey[] keys = [.. Enumerable.Range(0, capacity * 2).Select(i => CacheKey.Create($"q{i}", "s", "m", 0f, 1))];
        int next = 0;

        long allocated = Allocations.Of(() => cache.Put(keys[next++ % keys.Length], "answer"));

        Assert.Equal(0, allocated);
        Assert.Equal(capacity, cache.Count);
        Assert.True(cache.Stats.Evictions >= Allocations.Iterations);
    }

    [Fact]
    public void Put_of_an_existing_key_allocates_nothing()
    {
        ExactMatchCache<string> cache = new();
        CacheKey key = CacheKey.Create("q", "s", "m", 0f, 1);

        Assert.Equal(0, Allocations.Of(() => cache.Put(key, "answer")));
    }

    [Fact]
    public void Invalidate_allocates_nothing()
    {
        ExactMatchCache<string> cache = new();
        CacheKey key = CacheKey.Create("q", "s", "m", 0f, 1);

        Assert.Equal(0, Allocations.Of(() =>
        {
            cache.Put(key, "answer");
            cache.Invalidate(key);
        }));
    }

    [Fact]
    public void GetOrAddAsync_hit_allocates_nothing()
    {
        ExactMatchCache<string> cache = new();
        CacheKey key = CacheKey.Create(UserMessage, SystemPrompt, "gpt-4o", 0.2f, 512);
        cache.Put(key, "answer");
        Func<int, CancellationToken, ValueTask<string>> factory = static (_, _) => throw new InvalidOperationException("must not run on a hit");

        Assert.Equal(0, Allocations.Of(() =>
        {
            ValueTask<string> result = cache.GetOrAddAsync(key, 0, factory);
            Assert.True(result.IsCompletedSuccessfully);
            _ = result.Result;
        }));
    }

    private readonly struct ManagedChatRequest(string userMessage, string systemPrompt) : ICacheKeySource
    {
        public void WriteTo(ref CacheKeyWriter writer)
        {
            writer.Write(systemPrompt);
            writer.Write(userMessage);
        }
    }
}
