using System.Diagnostics;

using ZeroAllocCache.Demo.Models;

namespace ZeroAllocCache.Demo;

/// <summary>
/// A chat client as an application writes one: a <c>[CachedLlmCall]</c> method in front of the model call. The
/// generator writes <see cref="AskAsync"/>: an identical request is answered from the cache without calling the
/// model, and identical requests in flight share one model call.
/// </summary>
public sealed partial class AssistantClient
{
    private readonly ExactMatchCache<ModelAnswer> _cache;
    private readonly IChatModel _model;
    private long _modelCalls;

    /// <summary>Creates a client that asks <paramref name="model"/> and keeps answers in <paramref name="cache"/>.</summary>
    /// <param name="model">The model called on a miss.</param>
    /// <param name="cache">The answers.</param>
    public AssistantClient(IChatModel model, ExactMatchCache<ModelAnswer> cache)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cache);
        _model = model;
        _cache = cache;
    }

    /// <summary>How many times the model was called.</summary>
    public long ModelCalls => Volatile.Read(ref _modelCalls);

    /// <summary>The cache's counters.</summary>
    public CacheStats Stats => _cache.Stats;

    /// <summary>Asks the model, or answers from the cache when the same request was asked before.</summary>
    /// <param name="systemPrompt">The system message.</param>
    /// <param name="model">The model.</param>
    /// <param name="temperature">The sampling temperature.</param>
    /// <param name="maxTokens">The output token budget; 0 for none.</param>
    /// <param name="history">The conversation before <paramref name="userMessage"/>.</param>
    /// <param name="userMessage">The message being asked.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The answer, with the tokens and time its model call took.</returns>
    // The fields that repeat across requests come first and the user's message last, as the key writer prefers.
    [CachedLlmCall(Cache = nameof(_cache), Implementation = nameof(CallModelAsync), KeyVersion = "demo-1")]
    public partial ValueTask<ModelAnswer> AskAsync(string systemPrompt, string model, float temperature, int maxTokens,
        [VariesPerCall] ConversationHistory history, [VariesPerCall] string userMessage, CancellationToken cancellationToken = default);

    /// <summary>Asks the model for <paramref name="request"/>, through the cache.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The answer.</returns>
    public ValueTask<ModelAnswer> AskAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AskAsync(request.SystemPrompt, request.Model, request.Temperature, request.MaxTokens, request.History,
            request.UserMessage, cancellationToken);
    }

    private async ValueTask<ModelAnswer> CallModelAsync(string systemPrompt, string model, float temperature,
        int maxTokens, ConversationHistory history, string userMessage, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _modelCalls);
        var request = new ChatRequest(systemPrompt, model, temperature, maxTokens, history, userMessage);
        long started = Stopwatch.GetTimestamp();
        ModelReply reply = await _model.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
        return new ModelAnswer(reply.Text, reply.InputTokens, reply.OutputTokens, Stopwatch.GetElapsedTime(started));
    }
}
