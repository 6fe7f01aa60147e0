using BenchmarkDotNet.Attributes;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 4, part 3: ExactMatchCache hit latency with 1K, 64K and 1M entries resident.
/// </summary>
/// <remarks>
/// The cache is filled with <see cref="Resident"/> numbered reference requests (their user messages differ; the
/// strings are dropped once stored). Each operation looks up the next of <see cref="Probes"/> resident entries drawn
/// uniformly at random, so at 1M entries (64 MB of slots) a lookup usually misses the CPU caches: the worst case, not
/// a hot working set.
/// </remarks>
[MemoryDiagnoser]
public class CapacityScalingBenchmarks
{
    private const int Probes = 4096;

    private readonly CacheKey[] _probeKeys = new CacheKey[Probes];
    private readonly ChatRequest[] _probeRequests = new ChatRequest[Probes];
    private ExactMatchCache<string> _cache = null!;
    private int _next;

    /// <summary>The number of entries resident.</summary>
    [Params(1_000, 64_000, 1_000_000)]
    public int Resident { get; set; }

    /// <summary>Fills the cache and draws the probes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _cache = new ExactMatchCache<string>(Resident);
        for (int number = 0; number < Resident; number++)
        {
            ChatRequest r = ReferenceRequests.Numbered(number);
            _cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text);
        }

        Random random = new(42);
        for (int i = 0; i < Probes; i++)
        {
            ChatRequest r = ReferenceRequests.Numbered(random.Next(Resident));
            _probeRequests[i] = r;
            _probeKeys[i] = CacheKey.Create(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens);
        }

        if (_cache.Count != Resident || TryGet_Request() is null || TryGet_Key() is null)
        {
            throw new InvalidOperationException("Every probe must hit.");
        }
    }

    /// <summary>The user-facing hit: the reference request's five fields hashed, then looked up.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? TryGet_Request()
    {
        ChatRequest r = _probeRequests[Advance()];
        _cache.TryGet(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, out string? value);
        return value;
    }

    /// <summary>The lookup alone, on keys computed earlier: index, slot and LRU update.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public string? TryGet_Key()
    {
        _cache.TryGet(in _probeKeys[Advance()], out string? value);
        return value;
    }

    private int Advance()
    {
        int i = _next;
        _next = (i + 1) & (Probes - 1);
        return i;
    }
}
