using StackExchange.Redis;

namespace ZeroAllocCache.Redis;

/// <summary>One cache's connection to a <see cref="RedisCacheBackplane"/>: its sender id, its listener, its locks.</summary>
internal sealed class RedisBackplaneConnection(RedisCacheBackplane backplane, string cacheName, ICacheBackplaneListener listener)
    : ICacheBackplaneConnection
{
    // Deletes the lock only if it still holds this holder's token: a lock that expired and was taken by another
    // replica is not released by the old holder.
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    public Guid Sender { get; } = Guid.NewGuid();

    public string CacheName { get; } = cacheName;

    public Task PublishAsync(CacheBackplaneMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return backplane.PublishAsync(BackplaneMessageFormat.Write(Sender, CacheName, message));
    }

    public async Task<IAsyncDisposable?> TryAcquireLockAsync(CacheKey key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey lockKey = backplane.LockKey(CacheName, key);
        string token = Guid.NewGuid().ToString("N");
        IDatabase database = backplane.Multiplexer.GetDatabase();
        bool taken = await database.StringSetAsync(lockKey, token, expiry, When.NotExists).ConfigureAwait(false);
        return taken ? new HeldLock(database, lockKey, token) : null;
    }

    public ValueTask DisposeAsync()
    {
        backplane.Disconnect(this);
        return ValueTask.CompletedTask;
    }

    public void Deliver(CacheBackplaneMessage message) => listener.OnMessage(message);

    public void Reconnected() => listener.OnReconnected();

    private sealed class HeldLock(IDatabase database, RedisKey key, string token) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await database.ScriptEvaluateAsync(ReleaseScript, [key], [token]).ConfigureAwait(false);
            }
        }
    }
}
