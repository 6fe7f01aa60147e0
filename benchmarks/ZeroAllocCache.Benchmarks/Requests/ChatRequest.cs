namespace ZeroAllocCache.Benchmarks.Requests;

/// <summary>The five fields of a chat request that every contender keys on.</summary>
/// <param name="UserMessage">The user's message: the field that changes from request to request.</param>
/// <param name="SystemPrompt">The system prompt: usually one constant string shared by every request.</param>
/// <param name="Model">The model name.</param>
/// <param name="Temperature">The sampling temperature.</param>
/// <param name="MaxTokens">The token budget.</param>
public sealed record ChatRequest(string UserMessage, string SystemPrompt, string Model, float Temperature, int MaxTokens)
{
    /// <summary>
    /// The same request as it arrives again: a new user-message string with the same characters (it was just read
    /// from the wire), the same system prompt and model instances (they are constants in the caller's code).
    /// </summary>
    /// <returns>An equal request whose user message is a different instance.</returns>
    public ChatRequest Arriving() => this with { UserMessage = new string(UserMessage.AsSpan()) };

    /// <summary>The request with another token budget: a distinct key for every contender, no new strings.</summary>
    /// <param name="maxTokens">The token budget.</param>
    /// <returns>The request with <paramref name="maxTokens"/>.</returns>
    public ChatRequest WithMaxTokens(int maxTokens) => this with { MaxTokens = maxTokens };

    /// <summary>The request as the tuple that the ConcurrentDictionary and BitFaster contenders use as key.</summary>
    /// <returns>The five fields, user message first as in the public API.</returns>
    public (string, string, string, float, int) ToTuple() => (UserMessage, SystemPrompt, Model, Temperature, MaxTokens);

    /// <summary>Names the request by its size in benchmark tables.</summary>
    /// <returns>For example <c>600+430 chars</c>.</returns>
    public override string ToString() => $"{SystemPrompt.Length}+{UserMessage.Length} chars";
}
