using Microsoft.Extensions.Logging;

namespace ZeroAllocCache;

/// <summary>
/// Whether the distributed store is worth calling: after a failure or a timeout it is skipped for
/// <c>DistributedRetryAfter</c>, then tried again. Each change of state is logged once, not each request.
/// </summary>
/// <remarks>
/// On the system clock, whatever clock the cache measures ages with: the store's availability is a fact of the real
/// world, and a test's fake clock must not keep a recovered store skipped (or a failed one in use).
/// </remarks>
internal sealed class StoreHealth(TimeSpan retryAfter, ILogger logger, string cacheName)
{
    private static readonly TimeProvider Clock = TimeProvider.System;

    // The timestamp before which the store is skipped; 0 while it is healthy.
    private long _skipUntil;

    // 1 while the store is known to be failing: set by the first failure, cleared by the first success after it.
    private int _failing;

    /// <summary>Whether a call should be attempted now.</summary>
    public bool IsAvailable
    {
        get
        {
            long until = Volatile.Read(ref _skipUntil);
            return until == 0 || Clock.GetTimestamp() >= until;
        }
    }

    /// <summary>How long until a call should be attempted again; zero when it may be now.</summary>
    public TimeSpan TimeUntilAvailable
    {
        get
        {
            long until = Volatile.Read(ref _skipUntil);
            long now = Clock.GetTimestamp();
            return until == 0 || now >= until ? TimeSpan.Zero : Clock.GetElapsedTime(now, until);
        }
    }

    /// <summary>Whether the last call failed and none has succeeded since.</summary>
    public bool IsFailing => Volatile.Read(ref _failing) == 1;

    /// <summary>Skips the store for the retry interval; logs the first failure of a series.</summary>
    public void ReportFailure(string operation, Exception? error)
    {
        long until = Clock.GetTimestamp() + (long)(retryAfter.TotalSeconds * Clock.TimestampFrequency);
        Volatile.Write(ref _skipUntil, Math.Max(until, 1));
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            DistributedLog.StoreUnavailable(logger, cacheName, operation, retryAfter, error);
        }
    }

    /// <summary>Marks the store healthy; logs the recovery after a failure.</summary>
    public void ReportSuccess()
    {
        if (Volatile.Read(ref _failing) == 0)
        {
            return;
        }

        Volatile.Write(ref _skipUntil, 0);
        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            DistributedLog.StoreAvailable(logger, cacheName);
        }
    }
}
