namespace ZeroAllocCache;

/// <summary>
/// Counts the model calls that a caching layer answered without calling the model, and the tokens those calls would
/// have used. Kept by the caller (such as the Microsoft.Extensions.AI middleware) and read by
/// <see cref="CacheMetrics"/> when a metrics listener collects.
/// </summary>
/// <remarks>
/// Recording is three interlocked additions: it allocates nothing and takes no lock. The three totals are read
/// independently, so a reader that runs during a record may see the call counted before its tokens.
/// </remarks>
public sealed class ModelCallSavings
{
    private long _calls;
    private long _inputTokens;
    private long _outputTokens;

    /// <summary>The number of requests answered without a model call.</summary>
    public long Calls => Volatile.Read(ref _calls);

    /// <summary>The input (prompt) tokens those requests would have sent to the model.</summary>
    public long InputTokens => Volatile.Read(ref _inputTokens);

    /// <summary>The output (completion) tokens those requests would have had the model generate.</summary>
    public long OutputTokens => Volatile.Read(ref _outputTokens);

    /// <summary>Records one request answered without a model call.</summary>
    /// <param name="inputTokens">The input tokens the original call used; 0 when unknown.</param>
    /// <param name="outputTokens">The output tokens the original call used; 0 when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public void RecordSavedCall(long inputTokens, long outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        Interlocked.Increment(ref _calls);
        if (inputTokens != 0)
        {
            Interlocked.Add(ref _inputTokens, inputTokens);
        }

        if (outputTokens != 0)
        {
            Interlocked.Add(ref _outputTokens, outputTokens);
        }
    }
}
