namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>A chat request: the messages and options of one call.</summary>
internal sealed record Request(List<ChatMessage> Messages, ChatOptions? Options)
{
    public static readonly string SystemPrompt = new('s', 600);
    public static readonly string UserMessage = new('u', 430);

    /// <summary>The benchmark's request: a 600-character system message, a 430-character user message, model, temperature, max output tokens.</summary>
    public static Request Typical() => new(
        [new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, UserMessage)],
        new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 512 });

    public static Request Typical(Action<Request> change)
    {
        Request request = Typical();
        change(request);
        return request;
    }

    public ChatOptions EnsureOptions() => Options ?? throw new InvalidOperationException("The request has no options.");

    public CacheKey Key(bool streaming = false) =>
        ExactMatchCachingChatClient.TryCreateCacheKey(Messages, Options, streaming, out CacheKey key)
            ? key
            : throw new InvalidOperationException("The request cannot be keyed.");

    public bool IsKeyable => ExactMatchCachingChatClient.TryCreateCacheKey(Messages, Options, streaming: false, out _);
}
