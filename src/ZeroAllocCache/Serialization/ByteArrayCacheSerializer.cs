using System.Buffers;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache;

/// <summary>Stores <see cref="byte"/> array values as they are: the serializer a cache of byte arrays uses without configuration.</summary>
public sealed class ByteArrayCacheSerializer : IHybridCacheSerializer<byte[]>
{
    /// <summary>The one instance; the serializer has no state.</summary>
    public static ByteArrayCacheSerializer Instance { get; } = new();

    private ByteArrayCacheSerializer()
    {
    }

    /// <inheritdoc/>
    public byte[] Deserialize(ReadOnlySequence<byte> source) => source.ToArray();

    /// <inheritdoc/>
    public void Serialize(byte[] value, IBufferWriter<byte> target)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(target);
        target.Write(value);
    }
}
