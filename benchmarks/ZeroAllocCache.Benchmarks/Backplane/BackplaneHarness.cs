using System.Diagnostics;
using System.Globalization;

using StackExchange.Redis;

using ZeroAllocCache.Redis;
using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Benchmarks.Backplane;

/// <summary>
/// Issue 16's figures for docs/distributed.md, on a redis-server the harness starts on loopback: how many backplane
/// messages per second one Redis takes from this code and delivers to a replica, and what a lock costs.
/// </summary>
public static class BackplaneHarness
{
    /// <summary>Prints the figures as a markdown table.</summary>
    /// <param name="args"><c>[messages] [locks]</c>.</param>
    public static void Run(string[] args)
    {
        int messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int locks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        using RedisServer redis = new();
        using ConnectionMultiplexer senderConnection = ConnectionMultiplexer.Connect(redis.Configuration);
        using ConnectionMultiplexer receiverConnection = ConnectionMultiplexer.Connect(redis.Configuration);
        using RedisCacheBackplane senderBackplane = new(senderConnection);
        using RedisCacheBackplane receiverBackplane = new(receiverConnection);
        CountingListener counter = new();
        ICacheBackplaneConnection sender = senderBackplane.Connect("bench", new CountingListener());
        _ = receiverBackplane.Connect("bench", counter);
        Thread.Sleep(200);

        CacheKey key = CacheKey.Create("q", "s", "m", 0f, 1);
        CacheBackplaneMessage message = new(CacheBackplaneMessageKind.Removed, key, DateTimeOffset.UtcNow);
        const int InFlight = 256;
        Stopwatch sending = Stopwatch.StartNew();
        List<Task> pending = new(InFlight);
        for (int i = 0; i < messages; i++)
        {
            pending.Add(sender.PublishAsync(message));
            if (pending.Count == InFlight)
            {
                Task.WaitAll(pending);
                pending.Clear();
            }
        }

        Task.WaitAll(pending);
        TimeSpan sent = sending.Elapsed;
        while (counter.Count < messages && sending.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(5);
        }

        TimeSpan received = sending.Elapsed;

        Stopwatch lockWatch = Stopwatch.StartNew();
        for (int i = 0; i < locks; i++)
        {
            IAsyncDisposable held = sender.TryAcquireLockAsync(CacheKey.Create("lock", "s", "m", 0f, i), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException("A fresh lock was taken.");
            held.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        TimeSpan locking = lockWatch.Elapsed;
        Console.WriteLine("| Measure | Value |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine(Invariant($"| Messages published ({messages:N0}, {InFlight} in flight, one connection) | {messages / sent.TotalSeconds:N0} /s |"));
        Console.WriteLine(Invariant($"| Messages delivered to one replica | {counter.Count / received.TotalSeconds:N0} /s ({counter.Count:N0} of {messages:N0}) |"));
        Console.WriteLine("| Message size | 66 bytes for a 4-character cache name (BackplaneMessageFormatTests) |");
        Console.WriteLine(Invariant($"| Lock taken and released ({locks:N0} in a row) | {locking.TotalMicroseconds / locks:N0} µs |"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class CountingListener : ICacheBackplaneListener
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void OnMessage(CacheBackplaneMessage message) => Interlocked.Increment(ref _count);

        public void OnReconnected()
        {
        }
    }
}
