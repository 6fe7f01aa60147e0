using System.Numerics;

namespace ZeroAllocCache;

/// <summary>
/// How many stripes a counter that cores bump without a lock has: one per processor, so that at any core count each
/// core writes a line of its own (with fewer stripes than cores, the cores sharing one would pass its line between
/// them on every hit). A power of two, so that a processor's stripe is its id masked; ids beyond wrap around.
/// </summary>
internal static class ProcessorStripes
{
    // Past this many processors, stripes are shared: the counters would otherwise cost 64 KB a cache.
    private const int MaxCount = 1024;

    /// <summary>The number of stripes: the processor count rounded up to a power of two, at most 1,024.</summary>
    public static readonly int Count = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, MaxCount));

    /// <summary>The stripe of the processor the calling thread runs on (as of the runtime's last look).</summary>
    public static int Current => Thread.GetCurrentProcessorId() & (Count - 1);
}
