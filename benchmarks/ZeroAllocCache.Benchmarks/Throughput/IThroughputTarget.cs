namespace ZeroAllocCache.Benchmarks.Throughput;

/// <summary>A cache under the throughput workload, addressed by the index of one of the workload's requests.</summary>
public interface IThroughputTarget
{
    /// <summary>The contender's name in the results table.</summary>
    string Name { get; }

    /// <summary>Looks up request <paramref name="request"/>.</summary>
    /// <param name="request">The request's index.</param>
    /// <returns><see langword="true"/> on a hit.</returns>
    bool Read(int request);

    /// <summary>Stores the response to request <paramref name="request"/>.</summary>
    /// <param name="request">The request's index.</param>
    void Write(int request);
}
