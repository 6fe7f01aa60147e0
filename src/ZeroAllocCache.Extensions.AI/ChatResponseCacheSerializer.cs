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
/// two-level <see cref="ExactMatchCache{TValue}"/> of chat responses.
/// </summary>
/// <remarks>
/// Registered with <see cref="CacheSerializers"/> when this assembly loads, so a cache of <see cref="ChatResponse"/>
/// with a distributed store needs no serializer in its options. Set
/// <see cref="ExactMatchCacheOptions{TValue}.Serializer"/> to <see cref="Instance"/> explicitly where a cache may be
/// built before anything from this assembly runs.
/// </remarks>
public sealed class ChatResponseCacheSerializer : IHybridCacheSerializer<ChatResponse>
{
    private static readonly JsonTypeInfo<ChatResponse> s_typeInfo =
        (JsonTypeInfo<ChatResponse>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse));

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
        return JsonSerializer.Deserialize(ref reader, s_typeInfo)
            ?? throw new JsonException("The stored chat response is null.");
    }

    /// <inheritdoc/>
    public void Serialize(ChatResponse value, IBufferWriter<byte> target)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(target);
        using Utf8JsonWriter writer = new(target);
        JsonSerializer.Serialize(writer, value, s_typeInfo);
    }

#pragma warning disable CA2255 // A library's module initializer: it only registers a default serializer, as the type's remarks say.
    [ModuleInitializer]
    internal static void RegisterAsDefault() => CacheSerializers.Register(Instance);
#pragma warning restore CA2255
}
