using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache;

/// <summary>
/// Stores values as JSON through a <see cref="JsonTypeInfo{T}"/>, typically from a source-generated
/// <c>JsonSerializerContext</c>, so that it needs no reflection and stays Native AOT and trimming clean.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonCacheSerializer<T> : IHybridCacheSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates the serializer.</summary>
    /// <param name="typeInfo">The JSON contract of <typeparamref name="T"/>, for example <c>MyJsonContext.Default.MyType</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    public JsonCacheSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc/>
    /// <exception cref="JsonException">The bytes are not JSON of <typeparamref name="T"/>.</exception>
    public T Deserialize(ReadOnlySequence<byte> source)
    {
        Utf8JsonReader reader = new(source);
        return JsonSerializer.Deserialize(ref reader, _typeInfo)!;
    }

    /// <inheritdoc/>
    public void Serialize(T value, IBufferWriter<byte> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using Utf8JsonWriter writer = new(target);
        JsonSerializer.Serialize(writer, value, _typeInfo);
    }
}
