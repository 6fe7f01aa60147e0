namespace ZeroAllocCache;

/// <summary>What a cache hears from its <see cref="ICacheBackplane"/>.</summary>
public interface ICacheBackplaneListener
{
    /// <summary>Another cache of this name changed, removed or cleared something. Called on the backplane's thread: return quickly.</summary>
    /// <param name="message">What changed.</param>
    void OnMessage(CacheBackplaneMessage message);

    /// <summary>
    /// The connection was lost and is back: messages sent meanwhile may be lost, so what the cache holds may be stale.
    /// </summary>
    void OnReconnected();
}
