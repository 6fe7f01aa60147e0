namespace ZeroAllocCache;

/// <summary>
/// The five classic fields of a chat request, in key order: the fields that repeat across requests first, the user
/// message last.
/// </summary>
internal readonly struct ChatRequestKeySource(
    string userMessage, string systemPrompt, string model, float temperature, int maxTokens) : ICacheKeySource
{
    // Names this key shape. The hyphen keeps it apart from generated keys, which start with a C# type name.
    private const string Domain = "chat-request/v1";

    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write(Domain);
        writer.Write(systemPrompt);
        writer.Write(model);
        writer.Write(temperature);
        writer.Write(maxTokens);
        writer.Write(userMessage);
    }
}
