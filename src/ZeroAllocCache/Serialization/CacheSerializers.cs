using System.Collections.Concurrent;

using Microsoft.Extensions.Caching.Hybrid;

namespace ZeroAllocCache;

/// <summary>
/// The serializers that caches use for a value type when their options name none: built in for <see cref="string"/>
/// and <see cref="byte"/> arrays, and registered process-wide for others (ZeroAllocCache.Extensions.AI registers one
/// for <c>ChatResponse</c>).
/// </summary>
/// <remarks>
/// A cache looks here once, when it is built. A companion package's defaults are found even when nothing from it has
/// run yet (its registration runs on the first lookup that needs it). The order is: <see cref="ExactMatchCacheOptions{TValue}.Serializer"/>,
/// then (through dependency injection) an <see cref="IHybridCacheSerializer{T}"/> or
/// <see cref="IHybridCacheSerializerFactory"/> in the container, then this registry.
/// </remarks>
public static class CacheSerializers
{
    private static readonly ConcurrentDictionary<Type, object> s_registered = new()
    {
        [typeof(string)] = StringCacheSerializer.Instance,
        [typeof(byte[])] = ByteArrayCacheSerializer.Instance,
    };

    /// <summary>Makes <paramref name="serializer"/> the default for every cache of <typeparamref name="T"/> built afterwards.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="serializer">The serializer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serializer"/> is <see langword="null"/>.</exception>
    public static void Register<T>(IHybridCacheSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        s_registered[typeof(T)] = serializer;
    }

    /// <summary>Finds the default serializer of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="serializer">The serializer, when one is built in or registered.</param>
    /// <returns>Whether there is one.</returns>
    public static bool TryGet<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
    {
        serializer = Find<T>();
        if (serializer is null && CompanionDefaults.TryRegisterFor(typeof(T)))
        {
            serializer = Find<T>();
        }

        return serializer is not null;
    }

    private static IHybridCacheSerializer<T>? Find<T>() =>
        s_registered.TryGetValue(typeof(T), out object? found) ? found as IHybridCacheSerializer<T> : null;
}
