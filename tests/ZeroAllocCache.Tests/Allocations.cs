namespace ZeroAllocCache.Tests;

/// <summary>
/// What a warmed-up action allocates on this thread: the least of a few measured rounds after a warm-up, so that a
/// tier-up of the JIT, which the calling thread may pay for, is not charged to the code under test.
/// </summary>
internal static class Allocations
{
    public const int Iterations = 2_000;

    public static long Of(Action action, int iterations = Iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        long least = long.MaxValue;
        for (int round = 0; round < 5 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                action();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
