using ZeroAllocCache;

namespace PackageConsumer;

/// <summary>The README's example, compiled against the package.</summary>
public partial class SupportBot
{
    private readonly ExactMatchCache<string> _cache = new(maxSize: 4096, ttl: TimeSpan.FromHours(6));

    public int ModelCalls { get; private set; }

    [CachedLlmCall(Cache = nameof(_cache), Implementation = nameof(CallModelAsync), KeyVersion = "support-v1")]
    public partial ValueTask<string> AskAsync([VariesPerCall] string userMessage, string systemPrompt, string model,
        float temperature, int maxTokens, CancellationToken cancellationToken = default);

    private ValueTask<string> CallModelAsync(string userMessage, string systemPrompt, string model,
        float temperature, int maxTokens, CancellationToken cancellationToken)
    {
        ModelCalls++;
        return new ValueTask<string>($"answer to '{userMessage}'");
    }
}
