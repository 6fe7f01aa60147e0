namespace ZeroAllocCache.Demo;

/// <summary>One chat-completions request, as the workload records it and the models receive it.</summary>
/// <param name="SystemPrompt">The system message; empty when the request has none.</param>
/// <param name="Model">The model asked.</param>
/// <param name="Temperature">The sampling temperature.</param>
/// <param name="MaxTokens">The output token budget; 0 when the request sets none.</param>
/// <param name="History">The conversation before <paramref name="UserMessage"/>.</param>
/// <param name="UserMessage">The message being asked.</param>
public sealed record ChatRequest(
    string SystemPrompt, string Model, float Temperature, int MaxTokens, ConversationHistory History, string UserMessage);
