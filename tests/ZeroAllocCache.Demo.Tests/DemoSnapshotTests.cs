namespace ZeroAllocCache.Demo.Tests;

/// <summary><c>--snapshot FILE</c>: a second run of the demo, as a new process, starts with the first run's cache.</summary>
public sealed class DemoSnapshotTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zac-demo-snapshot-").FullName;

    private string SnapshotPath => Path.Combine(_folder, "cache.snapshot");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_second_process_with_the_same_snapshot_starts_warm_and_says_how_many_entries_it_loaded()
    {
        DemoRun first = await DemoProcess.RunAsync("--latency", "0", "--snapshot", SnapshotPath);
        DemoRun second = await DemoProcess.RunAsync("--latency", "0", "--snapshot", SnapshotPath);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains($"Snapshot: {SnapshotPath} does not exist yet; starting cold", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, first.SummaryNumber("loaded from snapshot"));
        Assert.Contains($"Saved the cache to {SnapshotPath}", first.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(SnapshotPath));

        Assert.Equal(0, second.ExitCode);
        Assert.Empty(second.Error);
        long loaded = second.SummaryNumber("loaded from snapshot");
        Assert.Contains($"Snapshot: loaded {loaded:N0} entries from {SnapshotPath}.", second.Output, StringComparison.Ordinal);
        Assert.InRange(loaded, 1, 512); // the capacity, less what the hour's TTL let expire
        double cold = Percent(first, "hit rate, first 300");
        double warm = Percent(second, "hit rate, first 300");
        Assert.True(warm > cold + 10, $"warm {warm}% against cold {cold}%");
        Assert.True(second.SummaryNumber("misses") < first.SummaryNumber("misses"));
    }

    [Fact]
    public async Task A_damaged_snapshot_is_reported_and_the_run_starts_cold_and_replaces_it()
    {
        DemoRun first = await DemoRun.StartAsync(["--latency", "0", "--requests", "300", "--snapshot", SnapshotPath]);
        byte[] bytes = await File.ReadAllBytesAsync(SnapshotPath);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(SnapshotPath, bytes);

        DemoRun damaged = await DemoRun.StartAsync(["--latency", "0", "--requests", "300", "--snapshot", SnapshotPath]);
        DemoRun after = await DemoRun.StartAsync(["--latency", "0", "--requests", "300", "--snapshot", SnapshotPath]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, damaged.ExitCode);
        Assert.Contains($"Snapshot: {SnapshotPath} cannot be loaded, starting cold: The snapshot is damaged", damaged.Output, StringComparison.Ordinal);
        Assert.Equal(0, damaged.SummaryNumber("loaded from snapshot"));
        Assert.True(after.SummaryNumber("loaded from snapshot") > 0, after.Output);
    }

    [Fact]
    public async Task A_snapshot_in_a_missing_folder_is_a_one_line_error_with_exit_code_2_before_the_replay()
    {
        string path = Path.Combine(_folder, "missing", "cache.snapshot");

        DemoRun run = await DemoRun.StartAsync(["--latency", "0", "--snapshot", path]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.Equal($"error: the folder of the snapshot '{path}' does not exist.", run.Error.TrimEnd());
    }

    [Fact]
    public async Task A_directory_given_as_the_snapshot_is_a_one_line_error_with_exit_code_2()
    {
        DemoRun run = await DemoRun.StartAsync(["--latency", "0", "--snapshot", _folder]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: the snapshot '{_folder}' is a directory; give a file.", run.Error.TrimEnd());
    }

    private static double Percent(DemoRun run, string label)
    {
        string row = run.Output.Split('\n').Single(line => line.StartsWith("  " + label + "  ", StringComparison.Ordinal));
        string value = row[(label.Length + 2)..].TrimStart().Split(' ')[0].TrimEnd('%');
        return double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
