namespace ZeroAllocCache.Benchmarks.Throughput;

/// <summary>
/// A Zipf distribution over ranks 0..n-1: rank k is drawn with probability proportional to 1 / (k + 1)^s.
/// Sampled by inverting the cumulative distribution with a binary search.
/// </summary>
public sealed class ZipfDistribution
{
    private readonly double[] _cumulative;

    /// <summary>Creates the distribution.</summary>
    /// <param name="n">The number of ranks.</param>
    /// <param name="s">The exponent; 0.86 is the classic web-cache skew.</param>
    public ZipfDistribution(int n, double s)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        _cumulative = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++)
        {
            total += 1.0 / Math.Pow(k + 1, s);
            _cumulative[k] = total;
        }

        for (int k = 0; k < n; k++)
        {
            _cumulative[k] /= total;
        }
    }

    /// <summary>Draws <paramref name="count"/> ranks.</summary>
    /// <param name="count">How many.</param>
    /// <param name="seed">The random seed: equal seeds give equal samples.</param>
    /// <returns>The ranks.</returns>
    public int[] Sample(int count, int seed)
    {
        Random random = new(seed);
        int[] samples = new int[count];
        for (int i = 0; i < count; i++)
        {
            int found = Array.BinarySearch(_cumulative, random.NextDouble());
            samples[i] = Math.Min(found >= 0 ? found : ~found, _cumulative.Length - 1);
        }

        return samples;
    }
}
