using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// Stores <see cref="ChatResponse"/> values as JSON with Microsoft.Extensions.AI's own contract
/// (<see cref="AIJsonUtilities.DefaultOptions"/>), as <c>DistributedCachingChatClient</c> does: the serializer of a
/// two-level <see cref="ExactMatchCache{TValue}"/> of chat responses. A streamed response kept update by update
/// (<see cref="ExactMatchCachingChatClient.CoalesceStreamingUpdates"/> off) is stored as the JSON array of its updates.
/// </summary>
/// <remarks>
/// Registered with <see cref="CacheSerializers"/> by this assembly's initializer, so a cache of
/// <see cref="ChatResponse"/> with a distributed store needs no serializer in its options, even one built before
/// anything from this assembly ran (the lookup runs the initializer).
/// </remarks>
public sealed class ChatResponseCacheSerializer : IHybridCacheSerializer<ChatResponse>
{
    private static readonly JsonTypeInfo<ChatResponse> s_typeInfo =
        (JsonTypeInfo<ChatResponse>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse));

    private static readonly JsonTypeInfo<ChatResponseUpdate> s_updateTypeInfo =
        (JsonTypeInfo<ChatResponseUpdate>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponseUpdate));

    private ChatResponseCacheSerializer()
    {
    }

    /// <summary>The one instance; the serializer has no state.</summary>
    public static ChatResponseCacheSerializer Instance { get; } = new();

    /// <inheritdoc/>
    /// <exception cref="JsonException">The bytes are not a serialized <see cref="ChatResponse"/>.</exception>
    public ChatResponse Deserialize(ReadOnlySequence<byte> source)
    {
        Utf8JsonReader reader = new(source);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            reader = new Utf8JsonReader(source);
            return JsonSerializer.Deserialize(ref reader, s_typeInfo)
                ?? throw new JsonException("The stored chat response is null.");
        }

        List<ChatResponseUpdate> updates = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            updates.Add(JsonSerializer.Deserialize(ref reader, s_updateTypeInfo) ?? throw new JsonException("A stored chat response update is null."));
        }

        if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
        {
            throw new JsonException("The stored chat response updates do not end where their array does.");
        }

        return new UncoalescedChatResponse(updates);
    }

    /// <inheritdoc/>
    public void Serialize(ChatResponse value, IBufferWriter<byte> target)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(target);
        using Utf8JsonWriter writer = new(target);
        if (value is UncoalescedChatResponse uncoalesced)
        {
            writer.WriteStartArray();
            foreach (ChatResponseUpdate update in uncoalesced.Updates)
            {
                JsonSerializer.Serialize(writer, update, s_updateTypeInfo);
            }

            writer.WriteEndArray();
            return;
        }

        JsonSerializer.Serialize(writer, value, s_typeInfo);
    }

#pragma warning disable CA2255 // A library's module initializer: it only registers a default serializer, as the type's remarks say.
    [ModuleInitializer]
    internal static void RegisterAsDefault() => CacheSerializers.Register(Instance);
#pragma warning restore CA2255
}
