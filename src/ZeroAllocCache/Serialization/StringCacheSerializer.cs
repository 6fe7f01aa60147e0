using System.Buffers;
using System.Text;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache;

/// <summary>Stores <see cref="string"/> values as UTF-8: the serializer a cache of strings uses without configuration.</summary>
public sealed class StringCacheSerializer : IHybridCacheSerializer<string>
{
    /// <summary>The one instance; the serializer has no state.</summary>
    public static StringCacheSerializer Instance { get; } = new();

    private StringCacheSerializer()
    {
    }

    /// <inheritdoc/>
    public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

    /// <inheritdoc/>
    public void Serialize(string value, IBufferWriter<byte> target)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(target);
        Encoding.UTF8.GetBytes(value, target);
    }
}
