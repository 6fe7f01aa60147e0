using System.Collections.Concurrent;

using StackExchange.Redis;

namespace ZeroAllocCache.Redis;

/// <summary>
/// An <see cref="ICacheBackplane"/> over Redis: one pub/sub channel that every replica's caches publish their changes
/// to, and locks taken with <c>SET key token NX PX</c> and released by a script that checks the token.
/// </summary>
/// <remarks>
/// <para>
/// One instance may serve every cache of a process; each cache that connects gets a sender id of its own, so that it
/// ignores its own messages and hears those of every other cache of its name, in this process or another. Caches of
/// other names share the channel without disturbing each other.
/// </para>
/// <para>
/// When the multiplexer loses its subscription connection and gets it back, every connected cache is told
/// (<see cref="ICacheBackplaneListener.OnReconnected"/>): messages sent meanwhile are lost.
/// </para>
/// </remarks>
public sealed class RedisCacheBackplane : ICacheBackplane, IDisposable
{
    /// <summary>The channel of a backplane constructed without one: <c>zeroalloccache</c>.</summary>
    public const string DefaultChannel = "zeroalloccache";

    private readonly IConnectionMultiplexer _multiplexer;
    private readonly RedisChannel _channel;
    private readonly ConcurrentDictionary<Guid, RedisBackplaneConnection> _connections = new();
    private readonly Lock _subscribing = new();
    private bool _subscribed;

    /// <summary>Creates a backplane on <paramref name="channel"/> through <paramref name="multiplexer"/>.</summary>
    /// <param name="multiplexer">The connection to Redis; the backplane does not own it.</param>
    /// <param name="channel">The pub/sub channel; also the prefix of the lock keys.</param>
    /// <exception cref="ArgumentNullException"><paramref name="multiplexer"/> or <paramref name="channel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is empty or white space.</exception>
    public RedisCacheBackplane(IConnectionMultiplexer multiplexer, string channel = DefaultChannel)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        _multiplexer = multiplexer;
        Channel = channel;
        _channel = RedisChannel.Literal(channel);
        _multiplexer.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The pub/sub channel.</summary>
    public string Channel { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="cacheName"/> or <paramref name="listener"/> is <see langword="null"/>.</exception>
    public ICacheBackplaneConnection Connect(string cacheName, ICacheBackplaneListener listener)
    {
        ArgumentNullException.ThrowIfNull(cacheName);
        ArgumentNullException.ThrowIfNull(listener);
        EnsureSubscribed();
        RedisBackplaneConnection connection = new(this, cacheName, listener);
        _connections[connection.Sender] = connection;
        return connection;
    }

    /// <summary>Stops listening; the multiplexer stays open.</summary>
    public void Dispose()
    {
        _multiplexer.ConnectionRestored -= OnConnectionRestored;
        lock (_subscribing)
        {
            if (_subscribed)
            {
                _multiplexer.GetSubscriber().Unsubscribe(_channel, OnMessage, CommandFlags.FireAndForget);
                _subscribed = false;
            }
        }

        _connections.Clear();
    }

    internal IConnectionMultiplexer Multiplexer => _multiplexer;

    internal Task PublishAsync(byte[] message) => _multiplexer.GetSubscriber().PublishAsync(_channel, message);

    internal RedisKey LockKey(string cacheName, in CacheKey key)
    {
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        key.CopyTo(digest);
        return $"{Channel}:lock:{cacheName}:{System.Buffers.Text.Base64Url.EncodeToString(digest)}";
    }

    internal void Disconnect(RedisBackplaneConnection connection) => _connections.TryRemove(connection.Sender, out _);

    private void EnsureSubscribed()
    {
        lock (_subscribing)
        {
            if (!_subscribed)
            {
                // Confirmed before the first cache goes on, so that no message sent after it was built is missed. When
                // Redis does not answer, the handler is registered all the same and the multiplexer subscribes it on
                // connecting: subscribing again would register it twice, and every message would be delivered twice.
                try
                {
                    _multiplexer.GetSubscriber().Subscribe(_channel, OnMessage);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                }

                _subscribed = true;
            }
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        if (!BackplaneMessageFormat.TryRead(((ReadOnlyMemory<byte>)value).Span, out Guid sender, out string cacheName, out CacheBackplaneMessage message))
        {
            return;
        }

        foreach (RedisBackplaneConnection connection in _connections.Values)
        {
            if (connection.Sender != sender && connection.CacheName == cacheName)
            {
                connection.Deliver(message);
            }
        }
    }

    // Every restore of the subscription connection: the multiplexer raises it only after a failure (and may raise it
    // before it reports the failure, so the failure is not waited for), and whatever was sent in between is lost.
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            foreach (RedisBackplaneConnection connection in _connections.Values)
            {
                connection.Reconnected();
            }
        }
    }
}
