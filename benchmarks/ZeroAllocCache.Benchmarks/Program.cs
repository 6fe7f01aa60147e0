using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

using ZeroAllocCache.Benchmarks;
using ZeroAllocCache.Benchmarks.Compare;
using ZeroAllocCache.Benchmarks.Memory;
using ZeroAllocCache.Benchmarks.Throughput;

// BenchmarkDotNet suites by default (`-- --filter '*'`); the harnesses by name:
//   `-- throughput [seconds] [repetitions] [name filter]`, `-- memory`, `-- compare [calls per round] build-dir...` and
//   `-- distributed [rounds] [calls per round]` (the distributed reads, interleaved, on a redis-server it starts) and
//   `-- backplane [messages] [locks]` (backplane messages per second and lock latency, on a redis-server it starts) and
//   `-- hitratio [workload.jsonl]` (each eviction policy's hit ratio on three traces, beside BitFaster's).
switch (args.FirstOrDefault())
{
    case "compare":
        BuildComparison.Run(args[1..]);
        return 0;
    case "throughput":
        ThroughputHarness.Run(args[1..]);
        return 0;
    case "memory":
        MemoryPerEntryHarness.Run();
        return 0;
    case "hitratio":
        ZeroAllocCache.Benchmarks.HitRatio.HitRatioHarness.Run(args[1..]);
        return 0;
    case "backplane":
        ZeroAllocCache.Benchmarks.Backplane.BackplaneHarness.Run(args[1..]);
        return 0;
    case "distributed":
        DistributedLevelBenchmarks.RunInterleaved(
            args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40,
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
        return 0;
    default:
        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)];

        // Fail loudly, so that CI's dry run catches a benchmark that throws or a filter that matches nothing.
        bool filtered = args.Any(a => a is "--filter" or "-f");
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success))
            || (filtered && summaries.Sum(s => s.Reports.Length) == 0);
        return failed ? 1 : 0;
}
