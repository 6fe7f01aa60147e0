namespace ZeroAllocCache;

/// <summary>One cache's connection to an <see cref="ICacheBackplane"/>. Disposing it stops the listener hearing messages.</summary>
public interface ICacheBackplaneConnection : IAsyncDisposable
{
    /// <summary>Tells the other caches of this name about a change. The cache never publishes on its hit path.</summary>
    /// <param name="message">What changed.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the message is sent; it fails when the backplane is unreachable.</returns>
    Task PublishAsync(CacheBackplaneMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the lock of <paramref name="key"/> for this cache name across every replica, if no one holds it.
    /// </summary>
    /// <param name="key">The key about to be computed.</param>
    /// <param name="expiry">How long the lock holds if it is never released, for a holder that dies.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The held lock, to dispose when the value is stored (or the computation failed); <see langword="null"/> when another holds it.</returns>
    /// <exception cref="Exception">The backplane is unreachable: the caller goes on without a lock.</exception>
    Task<IAsyncDisposable?> TryAcquireLockAsync(CacheKey key, TimeSpan expiry, CancellationToken cancellationToken = default);
}
