namespace ZeroAllocCache.Demo.Models;

/// <summary>A chat model that answers one request at a time: the simulated one or a real endpoint.</summary>
public interface IChatModel
{
    /// <summary>Says what answers, for the demo's header (for example "the simulated model (10 ms per call)").</summary>
    string Description { get; }

    /// <summary>Sends one request to the model.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer and its token usage.</returns>
    /// <exception cref="ModelEndpointException">The model could not be reached or refused the request.</exception>
    ValueTask<ModelReply> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);
}

/// <summary>What a model returned for one request.</summary>
/// <param name="Text">The answer.</param>
/// <param name="InputTokens">The prompt tokens the call consumed.</param>
/// <param name="OutputTokens">The tokens the model generated.</param>
public readonly record struct ModelReply(string Text, int InputTokens, int OutputTokens);
