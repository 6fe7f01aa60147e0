using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ZeroAllocCache.Benchmarks.Throughput;

/// <summary>
/// Issue 4, part 4: operations per second with 1 and 2 threads, Zipf(0.86) over 100K requests, every request
/// resident. Two mixes: reads only, and read-mostly (every 20th operation a write, 95% reads).
/// </summary>
/// <remarks>
/// BenchmarkDotNet measures one call on one thread; this harness runs the threads for a fixed time and counts. Each
/// thread replays its own precomputed sample sequence (no random numbers drawn while measuring), starts at a barrier
/// and times itself. A repetition runs one thread, then two, each after its own warm-up, so that the two runs of a
/// ratio are seconds apart on a machine whose load drifts; a cell is the median over the repetitions, and the ratio
/// the median of the repetitions' own ratios.
/// </remarks>
public static class ThroughputHarness
{
    private const int Requests = 100_000;
    private const double Skew = 0.86;
    private const int SamplesPerThread = 1 << 20;
    private const int WriteEvery = 20;
    private const int Batch = 256;

    /// <summary>Runs every contender and prints a markdown table.</summary>
    /// <param name="args">
    /// <c>[seconds per repetition] [repetitions] [contender name filter] [mix: reads, mixed or both] [profile threads]</c>.
    /// With a thread count last, only that many threads run, one workload after the other, and no table is printed: a
    /// profiler attached to the process then records that case alone.
    /// </param>
    public static void Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.5;
        int repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string filter = args.Length > 2 ? args[2] : "";
        string mixes = args.Length > 3 ? args[3] : "both";
        int profileThreads = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        TimeSpan duration = TimeSpan.FromSeconds(seconds);

        ZipfDistribution zipf = new(Requests, Skew);
        int[][] samples = [zipf.Sample(SamplesPerThread, seed: 1), zipf.Sample(SamplesPerThread, seed: 2)];
        ArgumentOutOfRangeException.ThrowIfGreaterThan(profileThreads, samples.Length);

        Console.WriteLine($"Throughput: Zipf({Skew}) over {Requests:N0} resident requests (rank k is numbered reference request k), "
            + $"{seconds.ToString(CultureInfo.InvariantCulture)} s per run after a warm-up of the same length, 1 and 2 threads in turn, median of {repetitions}; "
            + $"{Environment.ProcessorCount} logical cores, .NET {Environment.Version}, {RuntimeInformation.OSDescription}.");

        // Two threads can only scale on an idle second core: the load average says whether there was one.
        if (File.Exists("/proc/loadavg"))
        {
            Console.WriteLine($"Load average at start (1, 5, 15 min): {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3])}.");
        }

        Console.WriteLine();
        Console.WriteLine("| Contender | Mix | 1 thread (ops/s) | 2 threads (ops/s) | 2 threads / 1 thread | CPU cores used, 1 / 2 threads | 2 / 1 per CPU-second |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");

        foreach (Func<IThroughputTarget> create in ThroughputTargets.All(Requests))
        {
            IThroughputTarget target = create();
            if (!target.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            for (int request = 0; request < Requests; request++)
            {
                target.Write(request);
            }

            foreach (bool writes in new[] { false, true })
            {
                if (mixes != "both" && mixes != (writes ? "mixed" : "reads"))
                {
                    continue;
                }

                if (profileThreads > 0)
                {
                    Result profiled = Measure(target, samples, profileThreads, writes, duration);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture, $"Profiled: {target.Name}, {profileThreads} threads: {profiled.OpsPerSecond:N0} ops/s."));
                    continue;
                }

                Result[] ones = new Result[repetitions];
                Result[] twos = new Result[repetitions];
                for (int repetition = 0; repetition < repetitions; repetition++)
                {
                    ones[repetition] = Measure(target, samples, 1, writes, duration);
                    twos[repetition] = Measure(target, samples, 2, writes, duration);
                }

                Result one = Median(ones, static r => r.OpsPerSecond);
                Result two = Median(twos, static r => r.OpsPerSecond);
                double ratio = MedianOf(repetitions, i => twos[i].OpsPerSecond / ones[i].OpsPerSecond);
                double perCpuSecond = MedianOf(repetitions, i => twos[i].OpsPerSecond / twos[i].Cores / (ones[i].OpsPerSecond / ones[i].Cores));
                string mix = writes ? "95% reads" : "reads";
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {target.Name} | {mix} | {one.OpsPerSecond:N0} | {two.OpsPerSecond:N0} | {ratio:F2} | {one.Cores:F2} / {two.Cores:F2} | {perCpuSecond:F2} |"));
            }

            (target as IDisposable)?.Dispose();
            GC.Collect();
        }
    }

    // The repetition with the median throughput.
    private static Result Median(Result[] results, Func<Result, double> by) =>
        results.OrderBy(by).ElementAt(results.Length / 2);

    // The median of a value computed for each repetition.
    private static double MedianOf(int repetitions, Func<int, double> value) =>
        Enumerable.Range(0, repetitions).Select(value).Order().ElementAt(repetitions / 2);

    // One repetition: a warm-up run, then a measured run.
    private static Result Measure(IThroughputTarget target, int[][] samples, int threads, bool writes, TimeSpan duration)
    {
        RunThreads(target, samples, threads, writes, duration);
        return RunThreads(target, samples, threads, writes, duration);
    }

    private static Result RunThreads(IThroughputTarget target, int[][] samples, int threads, bool writes, TimeSpan duration)
    {
        using Process process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long wallBefore = Stopwatch.GetTimestamp();
        using Barrier start = new(threads);
        double[] opsPerSecond = new double[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                opsPerSecond[thread] = Work(target, samples[thread], writes, duration);
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        // The CPU time the process got over the run, in cores: below the thread count, the machine was busy elsewhere.
        process.Refresh();
        double cores = (process.TotalProcessorTime - cpuBefore) / Stopwatch.GetElapsedTime(wallBefore);
        return new Result(opsPerSecond.Sum(), cores);
    }

    private static double Work(IThroughputTarget target, int[] samples, bool writes, TimeSpan duration)
    {
        long stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long started = Stopwatch.GetTimestamp();
        long operations = 0;
        int position = 0;
        long now;
        do
        {
            for (int i = 0; i < Batch; i++)
            {
                int request = samples[position];
                if (writes && position % WriteEvery == 0)
                {
                    target.Write(request);
                }
                else
                {
                    target.Read(request);
                }

                position = (position + 1) & (SamplesPerThread - 1);
            }

            operations += Batch;
            now = Stopwatch.GetTimestamp();
        }
        while (now < stopAt);

        return operations / Stopwatch.GetElapsedTime(started, now).TotalSeconds;
    }

    /// <summary>One measured run: operations per second over all threads, and the CPU cores the process used.</summary>
    private readonly record struct Result(double OpsPerSecond, double Cores);
}
