using ZeroAllocCache.Demo.Sweep;
using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo.Tests;

/// <summary>The <c>sweep</c> command: every policy at a range of capacities, a table, and a miss-ratio chart.</summary>
public sealed class SweepTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zac-sweep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_sweep_prints_every_policy_at_every_capacity_and_writes_the_chart_as_svg_and_png()
    {
        DemoRun run = await DemoRun.StartAsync(["sweep", "--out", _folder]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Contains("| capacity | of distinct | answers' bytes | Lru | Sieve | S3Fifo | WTinyLfu |", run.Output, StringComparison.Ordinal);
        int rows = run.Output.Split('\n').Count(line => line.StartsWith("| ", StringComparison.Ordinal) && char.IsAsciiDigit(line[2]));
        Assert.Equal(CapacitySweep.CapacitiesFor(780).Length, rows);
        Assert.Contains("  [########################################] 100%", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"Smallest capacity within 1 point of it: [\d,]+ entries, about [\d.]+ [KM]B of answers, with (Lru|Sieve|S3Fifo|WTinyLfu)", run.Output);

        byte[] png = await File.ReadAllBytesAsync(Path.Combine(_folder, MissRatioChart.PngName));
        string svg = await File.ReadAllTextAsync(Path.Combine(_folder, MissRatioChart.SvgName));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("S3Fifo", svg, StringComparison.Ordinal);
        Assert.Contains("WTinyLfu", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sweep_runs_as_its_own_process_and_draws_there_too()
    {
        DemoRun run = await DemoProcess.RunAsync("sweep", "--out", _folder, "--ttl", "off");

        Assert.Equal(0, run.ExitCode);
        Assert.True(new FileInfo(Path.Combine(_folder, MissRatioChart.PngName)).Length > 1_000);
    }

    [Fact]
    public async Task Without_a_ttl_Lrus_miss_ratio_never_rises_with_capacity()
    {
        IReadOnlyList<WorkloadEntry> workload = WorkloadReader.ReadFile(DemoApp.BundledWorkloadPath);

        (IReadOnlyList<SweepPoint> points, int distinct, _) = await CapacitySweep.RunAsync(workload, ttl: null, progress: null, CancellationToken.None);

        Assert.Equal(780, distinct);
        SweepPoint[] lru = [.. points.Where(p => p.Policy == CacheEvictionPolicy.Lru).OrderBy(p => p.Capacity)];
        for (int i = 1; i < lru.Length; i++)
        {
            Assert.True(lru[i].MissRatio <= lru[i - 1].MissRatio, $"{lru[i].Capacity}: {lru[i].MissRatio} after {lru[i - 1].MissRatio}");
        }

        // A cache that holds every distinct request misses each once.
        Assert.Equal(780d / workload.Count, lru[^1].MissRatio, precision: 6);
    }

    [Fact]
    public async Task An_out_path_that_is_a_file_is_a_one_line_error_with_exit_code_2()
    {
        string file = Path.Combine(_folder, "taken");
        await File.WriteAllTextAsync(file, "x");

        DemoRun run = await DemoRun.StartAsync(["sweep", "--out", file]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: --out '{file}' is a file; give a folder.", run.Error.TrimEnd());
    }

    [Fact]
    public async Task The_sweeps_help_names_its_options()
    {
        DemoRun run = await DemoRun.StartAsync(["sweep", "--help"]);

        Assert.Equal(0, run.ExitCode);
        foreach (string option in new[] { "--workload", "--out", "--ttl" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }
    }
}
