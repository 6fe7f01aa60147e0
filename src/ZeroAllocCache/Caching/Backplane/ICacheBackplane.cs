namespace ZeroAllocCache;

/// <summary>
/// What caches use to keep their replicas consistent: a channel on which each tells the others that a key changed,
/// was removed or that everything was cleared, and short locks that let one replica compute a new key while the others
/// wait for its value. <c>RedisCacheBackplane</c> (package ZeroAllocCache.Redis) implements it over Redis pub/sub.
/// </summary>
/// <remarks>
/// Set it as <see cref="ExactMatchCacheOptions{TValue}.Backplane"/>; the cache connects when it is built and
/// disconnects when it is disposed. One backplane may serve many caches: messages carry the cache's name, so caches of
/// other names on the same channel never see each other's.
/// </remarks>
public interface ICacheBackplane
{
    /// <summary>Connects a cache: <paramref name="listener"/> hears the messages of the other caches named <paramref name="cacheName"/>.</summary>
    /// <param name="cacheName">The cache's name; replicas of one cache share it.</param>
    /// <param name="listener">Told of every message from another cache of that name, and of a restored connection.</param>
    /// <returns>The connection, through which the cache publishes its own messages and takes locks.</returns>
    ICacheBackplaneConnection Connect(string cacheName, ICacheBackplaneListener listener);
}
