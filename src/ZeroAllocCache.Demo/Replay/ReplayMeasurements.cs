namespace ZeroAllocCache.Demo.Replay;

/// <summary>What the replay observed, request by request: the raw numbers behind a <see cref="ReplaySummary"/>.</summary>
public sealed class ReplayMeasurements
{
    private readonly List<double> _hitLatencies;

    /// <summary>Creates empty measurements with room for <paramref name="expectedRequests"/> hits.</summary>
    /// <param name="expectedRequests">The requests the replay will send, so that recording never grows a list.</param>
    public ReplayMeasurements(int expectedRequests = 0) => _hitLatencies = new List<double>(expectedRequests);

    /// <summary>How many requests from the start <see cref="EarlyHits"/> counts: enough to see a warm start.</summary>
    public const int EarlyRequests = 300;

    /// <summary>Requests sent.</summary>
    public long Requests => Hits + Misses;

    /// <summary>Hits among the first <see cref="EarlyRequests"/> requests, where a cold cache and a warm one differ most.</summary>
    public long EarlyHits { get; private set; }

    /// <summary>The share of the first <see cref="EarlyRequests"/> requests (or of all, when fewer) that hit, from 0 to 1.</summary>
    public double EarlyHitRate => Requests == 0 ? 0d : (double)EarlyHits / Math.Min(Requests, EarlyRequests);

    /// <summary>Requests answered from a cache: in memory, or from the distributed level.</summary>
    public long Hits { get; private set; }

    /// <summary>Requests answered from the distributed level (Redis): memory missed, no model was called.</summary>
    public long DistributedHits { get; private set; }

    /// <summary>Requests answered from memory, on the calling thread.</summary>
    public long MemoryHits => Hits - DistributedHits;

    /// <summary>Requests that called the model.</summary>
    public long Misses { get; private set; }

    /// <summary>The model time the hits' answers took when they were first asked.</summary>
    public TimeSpan ModelTimeSaved { get; private set; }

    /// <summary>The model time the misses took.</summary>
    public TimeSpan ModelTimeSpent { get; private set; }

    /// <summary>The prompt tokens the hits did not send.</summary>
    public long InputTokensSaved { get; private set; }

    /// <summary>The output tokens the hits did not have generated.</summary>
    public long OutputTokensSaved { get; private set; }

    /// <summary>The bytes the memory hits allocated, all together.</summary>
    public long HitBytesAllocated { get; private set; }

    /// <summary>Each memory hit's latency in nanoseconds, in the order the hits came.</summary>
    public IReadOnlyList<double> HitLatenciesNanoseconds => _hitLatencies;

    /// <summary>Records a request answered from the cache.</summary>
    /// <param name="answer">The cached answer, with what its model call cost.</param>
    /// <param name="latencyNanoseconds">How long the call took.</param>
    /// <param name="bytesAllocated">What the call allocated.</param>
    public void RecordHit(ModelAnswer answer, double latencyNanoseconds, long bytesAllocated)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentOutOfRangeException.ThrowIfNegative(latencyNanoseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(bytesAllocated);
        CountEarlyHit();
        Hits++;
        ModelTimeSaved += answer.ModelTime;
        InputTokensSaved += answer.InputTokens;
        OutputTokensSaved += answer.OutputTokens;
        HitBytesAllocated += bytesAllocated;
        _hitLatencies.Add(latencyNanoseconds);
    }

    /// <summary>Records a request answered from the distributed level: no model call, and no memory hit to time.</summary>
    /// <param name="answer">The stored answer, with what its model call cost.</param>
    public void RecordDistributedHit(ModelAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        CountEarlyHit();
        Hits++;
        DistributedHits++;
        ModelTimeSaved += answer.ModelTime;
        InputTokensSaved += answer.InputTokens;
        OutputTokensSaved += answer.OutputTokens;
    }

    /// <summary>Records a request that called the model.</summary>
    /// <param name="answer">The model's answer, with what the call cost.</param>
    public void RecordMiss(ModelAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        Misses++;
        ModelTimeSpent += answer.ModelTime;
    }

    private void CountEarlyHit()
    {
        if (Requests < EarlyRequests)
        {
            EarlyHits++;
        }
    }
}
