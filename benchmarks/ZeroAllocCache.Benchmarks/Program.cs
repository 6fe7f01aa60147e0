using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

using ZeroAllocCache.Benchmarks.Compare;
using ZeroAllocCache.Benchmarks.Memory;
using ZeroAllocCache.Benchmarks.Throughput;

// BenchmarkDotNet suites by default (`-- --filter '*'`); the harnesses by name:
//   `-- throughput [seconds] [repetitions] [name filter]`, `-- memory` and `-- compare [calls per round] build-dir...`.
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
    default:
        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)];

        // Fail loudly, so that CI's dry run catches a benchmark that throws or a filter that matches nothing.
        bool filtered = args.Any(a => a is "--filter" or "-f");
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success))
            || (filtered && summaries.Sum(s => s.Reports.Length) == 0);
        return failed ? 1 : 0;
}
