namespace ZeroAllocCache.Benchmarks.Contenders;

/// <summary>
/// An assistant as a user writes it with the source generator: the <see cref="CachedLlmCallAttribute"/> method is
/// a wrapper generated around <see cref="CallModelAsync"/>, answering repeated requests from the cache.
/// </summary>
/// <param name="maxSize">The size of the assistant's cache.</param>
public sealed partial class CachedAssistant(int maxSize)
{
    private readonly ExactMatchCache<string> _cache = new(maxSize);

    /// <summary>How many times the model was called: the misses.</summary>
    public int ModelCalls { get; private set; }

    /// <summary>Answers a request, from the cache when the same request was answered before.</summary>
    /// <param name="userMessage">The user's message.</param>
    /// <param name="systemPrompt">The system prompt.</param>
    /// <param name="model">The model name.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The token budget.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The answer.</returns>
    [CachedLlmCall(Cache = nameof(_cache), Implementation = nameof(CallModelAsync))]
    public partial ValueTask<string> AskAsync(
        [VariesPerCall] string userMessage, string systemPrompt, string model, float temperature, int maxTokens,
        CancellationToken cancellationToken = default);

    // Stands for the model call: the benchmarks measure hits, so it only has to answer once per request.
    private ValueTask<string> CallModelAsync(
        string userMessage, string systemPrompt, string model, float temperature, int maxTokens,
        CancellationToken cancellationToken)
    {
        ModelCalls++;
        return new ValueTask<string>(Requests.CannedResponse.Text);
    }
}
