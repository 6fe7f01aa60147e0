using System.Runtime.CompilerServices;

using ZeroAllocCache.Hashing;

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

    /// <summary>
    /// The key of a chat request. A request that passes the same system prompt and model instances, temperature and
    /// token budget as one this thread hashed before resumes after them without encoding them (see
    /// <see cref="RecentChatPrefixes"/>); any other is encoded in full.
    /// </summary>
    [SkipLocalsInit] // the writer overwrites what it uses
    public static CacheKey CreateKey(string userMessage, string systemPrompt, string model, float temperature, int maxTokens)
    {
        KeyHashing hashing = KeyHashingDefaults.Current;
        ChatRequestKeySource source = new(userMessage, systemPrompt, model, temperature, maxTokens);
        if (hashing != KeyHashing.NativeWithPrefixTable)
        {
            return CacheKey.Create(source, hashing);
        }

        Span<byte> buffer = stackalloc byte[KeyHashSink.StackBufferSize];
        int temperatureBits = CacheKeyWriter.EncodedBits(temperature);
        PrefixSlot known = RecentChatPrefixes.Find(systemPrompt, model, temperatureBits, maxTokens);
        if (CacheKeyWriter.TryResume(known, buffer, out CacheKeyWriter writer))
        {
            // A resumed writer streams through the buffer and never rents one: there is nothing to dispose.
            writer.Write(userMessage);
            return writer.ComputeKeyInline();
        }

        writer = new CacheKeyWriter(buffer, hashing);
        try
        {
            source.WriteTo(ref writer);
            CacheKey key = writer.ComputeKey();
            if (writer.ResumedFrom.Index >= 0)
            {
                RecentChatPrefixes.Remember(systemPrompt, model, temperatureBits, maxTokens, writer.ResumedFrom);
            }

            return key;
        }
        finally
        {
            writer.Dispose();
        }
    }

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
