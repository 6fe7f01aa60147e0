namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>A request id and a token that reach the implementation but not the key.</summary>
internal sealed partial class ExcludedParametersBot
{
    private readonly ExactMatchCache<string> _cache = new();

    public int Calls { get; private set; }

    public string? LastRequestId { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<string> AskAsync(string prompt, [NotCacheKey] string requestId, CancellationToken cancellationToken = default);

    private ValueTask<string> AskCoreAsync(string prompt, string requestId, CancellationToken cancellationToken)
    {
        Calls++;
        LastRequestId = requestId;
        return new ValueTask<string>($"{prompt} #{Calls}");
    }
}
