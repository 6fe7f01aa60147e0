namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>Two methods with the same parameters, storing into one cache.</summary>
internal sealed partial class SharedCacheBot
{
    private readonly ExactMatchCache<string> _cache = new();

    public int SummarizeCalls { get; private set; }

    public int TranslateCalls { get; private set; }

    [CachedLlmCall(Cache = nameof(_cache))]
    public partial ValueTask<string> SummarizeAsync(string text);

    [CachedLlmCall(Cache = nameof(_cache))]
    public partial ValueTask<string> TranslateAsync(string text);

    private ValueTask<string> SummarizeCoreAsync(string text)
    {
        SummarizeCalls++;
        return new ValueTask<string>("summary of " + text);
    }

    private ValueTask<string> TranslateCoreAsync(string text)
    {
        TranslateCalls++;
        return new ValueTask<string>("translation of " + text);
    }
}
