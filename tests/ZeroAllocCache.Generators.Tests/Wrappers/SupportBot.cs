namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>The example, as a user writes it: explicit cache and implementation names.</summary>
public partial class SupportBot
{
    private readonly ExactMatchCache<string> _cache = new(maxSize: 4096, ttl: TimeSpan.FromHours(6));
    private int _calls;

    /// <summary>How many times the model was called.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Answers a support question, from the cache when the same question was asked before.</summary>
    /// <param name="userMessage">The question.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The token budget.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The answer.</returns>
    [CachedLlmCall(Cache = nameof(_cache), Implementation = nameof(CallModelAsync))]
    public partial ValueTask<string> AskAsync([VariesPerCall] string userMessage, string systemPrompt, string model,
        float temperature, int maxTokens, CancellationToken cancellationToken = default);

    private ValueTask<string> CallModelAsync(string userMessage, string systemPrompt, string model,
        float temperature, int maxTokens, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls);
        return new ValueTask<string>($"answer {call} to '{userMessage}' ({systemPrompt}, {model}, {temperature}, {maxTokens})");
    }
}
