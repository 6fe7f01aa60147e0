namespace ZeroAllocCache.Demo.Replay;

/// <summary>
/// The workload's clock: it reads the arrival time of the request being replayed, so that a TTL of an hour expires
/// entries an hour apart in the recording, although the replay takes seconds.
/// </summary>
public sealed class ReplayClock : TimeProvider
{
    private readonly DateTimeOffset _start;
    private long _ticks;

    /// <summary>Creates a clock that reads <paramref name="start"/> until it is advanced.</summary>
    /// <param name="start">The wall-clock time of the recording's start.</param>
    public ReplayClock(DateTimeOffset start) => _start = start;

    /// <summary>The time since the recording's start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _ticks));

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward to <paramref name="at"/>; a time already passed leaves it where it is.</summary>
    /// <param name="at">The time since the recording's start.</param>
    public void AdvanceTo(TimeSpan at)
    {
        if (at.Ticks > Volatile.Read(ref _ticks))
        {
            Volatile.Write(ref _ticks, at.Ticks);
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _start + Elapsed;
}
