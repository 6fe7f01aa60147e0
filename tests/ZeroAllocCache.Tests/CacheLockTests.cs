namespace ZeroAllocCache.Tests;

/// <summary>The cache's compare-and-swap lock excludes every other holder and is released by its scope.</summary>
public class CacheLockTests
{
    [Fact]
    public void Increments_made_under_the_lock_by_many_threads_are_never_lost()
    {
        Counter counter = new();
        const int threads = 8;
        const int incrementsPerThread = 200_000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (int i = 0; i < incrementsPerThread; i++)
            {
                counter.Increment();
            }
        });

        Assert.Equal(threads * incrementsPerThread, counter.Value);
    }

    [Fact]
    public void The_lock_is_free_again_after_its_scope_ends_by_an_exception()
    {
        Counter counter = new();

        Assert.Throws<InvalidOperationException>(counter.ThrowWhileHolding);
        counter.Increment(); // would spin forever if the scope had not released the lock

        Assert.Equal(1, counter.Value);
    }

    private sealed class Counter
    {
        private CacheLock _lock;
        private long _value;

        public long Value => _value;

        // A read, a yield point and a write: without mutual exclusion, concurrent increments overwrite each other.
        public void Increment()
        {
            using (_lock.Enter())
            {
                long read = _value;
                Thread.SpinWait(1);
                _value = read + 1;
            }
        }

        public void ThrowWhileHolding()
        {
            using (_lock.Enter())
            {
                throw new InvalidOperationException("thrown while holding the lock");
            }
        }
    }
}
