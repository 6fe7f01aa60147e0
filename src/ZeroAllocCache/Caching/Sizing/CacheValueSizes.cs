using System.Collections.Concurrent;

namespace ZeroAllocCache;

/// <summary>
/// The size estimates that caches use for a value type when their options set no
/// <see cref="ExactMatchCacheOptions{TValue}.SizeOf"/>: built in for <see cref="string"/> and <see cref="byte"/> arrays,
/// and registered process-wide for others (ZeroAllocCache.Extensions.AI registers one for <c>ChatResponse</c>).
/// </summary>
/// <remarks>
/// An estimate is of the bytes the value keeps alive on a 64-bit runtime: its objects' headers, fields and contents.
/// The entry's own slot (about 100 bytes, allocated with the pool) is not part of it. A cache looks here once, when it
/// is built; a companion package's estimates are found even when nothing from it has run yet.
/// </remarks>
public static class CacheValueSizes
{
    // An object's header and method-table pointer on a 64-bit runtime.
    private const long ObjectHeader = 16;

    private static readonly ConcurrentDictionary<Type, object> s_registered = new()
    {
        [typeof(string)] = new Func<string, long>(OfString),
        [typeof(byte[])] = new Func<byte[], long>(OfByteArray),
    };

    /// <summary>Makes <paramref name="sizeOf"/> the estimate for every cache of <typeparamref name="T"/> built afterwards.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="sizeOf">Returns a value's size in bytes, 0 or more.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sizeOf"/> is <see langword="null"/>.</exception>
    public static void Register<T>(Func<T, long> sizeOf)
    {
        ArgumentNullException.ThrowIfNull(sizeOf);
        s_registered[typeof(T)] = sizeOf;
    }

    /// <summary>Finds the estimate of <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="sizeOf">The estimate, when one is built in or registered.</param>
    /// <returns>Whether there is one.</returns>
    public static bool TryGet<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<T, long>? sizeOf)
    {
        sizeOf = Find<T>();
        if (sizeOf is null && CompanionDefaults.TryRegisterFor(typeof(T)))
        {
            sizeOf = Find<T>();
        }

        return sizeOf is not null;
    }

    /// <summary>
    /// A string's bytes: its header, its length, two bytes a character and the terminating null, rounded up to 8.
    /// </summary>
    /// <param name="value">The string; <see langword="null"/> is 0.</param>
    /// <returns>The bytes.</returns>
    public static long OfString(string? value) => value is null ? 0 : Align(ObjectHeader + 4 + (2L * value.Length) + 2);

    /// <summary>A byte array's bytes: its header, its length (padded to 8) and its contents, rounded up to 8.</summary>
    /// <param name="value">The array; <see langword="null"/> is 0.</param>
    /// <returns>The bytes.</returns>
    public static long OfByteArray(byte[]? value) => value is null ? 0 : Align(ObjectHeader + 8 + value.LongLength);

    private static Func<T, long>? Find<T>() => s_registered.TryGetValue(typeof(T), out object? found) ? found as Func<T, long> : null;

    private static long Align(long bytes) => (bytes + 7) & ~7L;
}
