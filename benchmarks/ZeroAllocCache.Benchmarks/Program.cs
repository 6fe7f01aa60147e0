using BenchmarkDotNet.Running;

using ZeroAllocCache.Benchmarks.Memory;
using ZeroAllocCache.Benchmarks.Throughput;

// BenchmarkDotNet suites by default (`-- --filter '*'`); the two harnesses by name:
//   `-- throughput [seconds] [repetitions] [name filter]` and `-- memory`.
switch (args.FirstOrDefault())
{
    case "throughput":
        ThroughputHarness.Run(args[1..]);
        break;
    case "memory":
        MemoryPerEntryHarness.Run();
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}
