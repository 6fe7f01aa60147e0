using System.Diagnostics;
using System.Globalization;

using ZeroAllocCache.Demo.Models;
using ZeroAllocCache.Demo.Replay;
using ZeroAllocCache.Demo.Sweep;
using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo;

/// <summary>
/// The demo end to end: reads the options and the workload, replays it through an <see cref="AssistantClient"/>
/// with progress, and prints the summary. Every failure the user can fix ends in one line and an exit code, never a
/// stack trace.
/// </summary>
public static class DemoApp
{
    /// <summary>The run finished.</summary>
    public const int Success = 0;

    /// <summary>The model endpoint could not be reached or refused the requests.</summary>
    public const int EndpointFailed = 1;

    /// <summary>The options or the workload are wrong.</summary>
    public const int BadInput = 2;

    /// <summary>The run was interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;

    /// <summary>The wall-clock time the workload's clock reads at the start of a first replay.</summary>
    public static readonly DateTimeOffset RecordingStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A real endpoint's time to answer one request.</summary>
    public static readonly TimeSpan EndpointTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The bundled workload, copied next to the program.</summary>
    public static string BundledWorkloadPath => Path.Combine(AppContext.BaseDirectory, "Workload", "workload.jsonl");

    /// <summary>Runs the demo.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Progress, the summary and <c>--help</c>.</param>
    /// <param name="error">Error messages.</param>
    /// <param name="environment">Reads an environment variable (the API key).</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    /// <returns>The exit code: <see cref="Success"/>, <see cref="EndpointFailed"/>, <see cref="BadInput"/> or
    /// <see cref="Interrupted"/>.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        Func<string, string?> environment,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(environment);

        DemoOptions options;
        try
        {
            options = DemoOptions.Parse(args);
        }
        catch (UsageException failure)
        {
            error.WriteLine($"error: {failure.Message}");
            error.WriteLine();
            error.Write(DemoOptions.Usage);
            return BadInput;
        }

        if (options.ShowHelp)
        {
            output.Write(options.Sweep ? DemoOptions.SweepUsage : DemoOptions.Usage);
            return Success;
        }

        string workloadPath = options.WorkloadPath ?? BundledWorkloadPath;
        if (Directory.Exists(workloadPath))
        {
            error.WriteLine($"error: the workload '{workloadPath}' is a directory; give a JSONL file.");
            return BadInput;
        }

        IReadOnlyList<WorkloadEntry> workload;
        try
        {
            workload = WorkloadReader.ReadFile(workloadPath);
        }
        catch (WorkloadFormatException failure)
        {
            error.WriteLine($"error: {failure.Message}");
            return BadInput;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read the workload '{workloadPath}': {failure.Message}");
            return BadInput;
        }

        if (options.Sweep)
        {
            try
            {
                return await SweepAsync(options, workloadPath, workload, output, error, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                output.Flush();
                error.WriteLine("Interrupted.");
                return Interrupted;
            }
        }

        if (options.Model is { } modelName)
        {
            // The key must say which model answered: every request goes to --model, so every request names it.
            workload = [.. workload.Select(entry => entry with { Request = entry.Request with { Model = modelName } })];
        }

        IChatModel model = options.Endpoint is { } endpoint
            ? new OpenAIChatModel(endpoint, options.Model!, environment(OpenAIChatModel.ApiKeyVariable), EndpointTimeout)
            : new SimulatedModel(options.Latency ?? TimeSpan.FromMilliseconds(DemoOptions.DefaultLatencyMilliseconds));
        try
        {
            return options.Redis is null
                ? await ReplayAsync(options, workloadPath, workload, model, output, error, cancellationToken).ConfigureAwait(false)
                : await ReplicaReplay.RunAsync(options, workloadPath, workload, model, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelEndpointException failure)
        {
            output.Flush();
            error.WriteLine($"error: {failure.Message}");
            return EndpointFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Flush();
            error.WriteLine("Interrupted.");
            return Interrupted;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static async Task<int> ReplayAsync(
        DemoOptions options,
        string workloadPath,
        IReadOnlyList<WorkloadEntry> workload,
        IChatModel model,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        int requests = options.Requests ?? workload.Count;
        if (options.SnapshotPath is { } snapshotPath && !SnapshotFolderExists(snapshotPath, error))
        {
            return BadInput;
        }

        var clock = new ReplayClock(ReplayStart(options.SnapshotPath));
        using var cache = new ExactMatchCache<ModelAnswer>(new ExactMatchCacheOptions<ModelAnswer>
        {
            MaxSize = options.Capacity,
            Ttl = options.Ttl,
            TimeProvider = clock,
            Serializer = new JsonCacheSerializer<ModelAnswer>(DemoJsonContext.Default.ModelAnswer),
        });
        var client = new AssistantClient(model, cache);

        output.WriteLine(Invariant(
            $"Replaying {SummaryTable.Count(requests)} requests from {Path.GetFileName(workloadPath)} ({Describe(workload)}) against {model.Description}."));
        output.WriteLine(Invariant(
            $"Cache: capacity {(options.Capacity == 0 ? "unbounded" : SummaryTable.Count(options.Capacity))}, TTL {(options.Ttl is { } ttl ? DemoOptions.FormatDuration(ttl) : "off")}."));
        int? loaded = options.SnapshotPath is { } path ? await LoadSnapshotAsync(cache, path, output, cancellationToken).ConfigureAwait(false) : null;
        output.WriteLine();

        long started = Stopwatch.GetTimestamp();
        ReplayMeasurements measurements = await Replayer.RunAsync(
            client,
            clock,
            workload,
            requests,
            progress => output.WriteLine(Replayer.ProgressLine(progress)),
            cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

        output.WriteLine();
        SummaryTable.Write(output, ReplaySummary.From(measurements, client.Stats, options.Capacity, options.Ttl, snapshotEntriesLoaded: loaded));
        output.WriteLine();
        output.WriteLine(Invariant($"Replayed in {SummaryTable.Duration(elapsed)}; {SummaryTable.Count(client.ModelCalls)} model calls."));

        if (options.SnapshotPath is { } savePath)
        {
            try
            {
                await cache.SaveSnapshotAsync(savePath, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: cannot save the snapshot '{savePath}': {failure.Message}");
                return BadInput;
            }

            // The file is stamped with the workload's clock, where the next run's clock starts (see ReplayStart).
            File.SetLastWriteTimeUtc(savePath, clock.GetUtcNow().UtcDateTime);
            output.WriteLine(Invariant($"Saved the cache to {savePath} ({SummaryTable.Count(new FileInfo(savePath).Length)} bytes); the next run with it starts warm."));
        }

        return Success;
    }

    // The recording's calendar, or for a run after one that saved a snapshot, where that run's clock stopped: a
    // restart goes on in time, so that the entries' ages (and the TTL) go on too.
    private static DateTimeOffset ReplayStart(string? snapshotPath) =>
        snapshotPath is not null && File.Exists(snapshotPath) && File.GetLastWriteTimeUtc(snapshotPath) is var stamped && stamped > RecordingStart.UtcDateTime
            ? new DateTimeOffset(stamped, TimeSpan.Zero)
            : RecordingStart;

    private static bool SnapshotFolderExists(string path, TextWriter error)
    {
        if (Directory.Exists(path))
        {
            error.WriteLine($"error: the snapshot '{path}' is a directory; give a file.");
            return false;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            error.WriteLine($"error: the folder of the snapshot '{path}' does not exist.");
            return false;
        }

        return true;
    }

    // A missing file is a cold start; a damaged one is reported and replaced by this run's save.
    private static async Task<int> LoadSnapshotAsync(ExactMatchCache<ModelAnswer> cache, string path, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            output.WriteLine($"Snapshot: {path} does not exist yet; starting cold, saving it after the replay.");
            return 0;
        }

        try
        {
            int loaded = await cache.LoadSnapshotAsync(path, cancellationToken).ConfigureAwait(false);
            output.WriteLine(Invariant($"Snapshot: loaded {SummaryTable.Count(loaded)} entries from {path}."));
            return loaded;
        }
        catch (Exception failure) when (failure is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"Snapshot: {path} cannot be loaded, starting cold: {failure.Message}");
            return 0;
        }
    }

    // The sweep: every policy at a range of capacities, a table, the smallest capacity near the best, and the chart.
    private static async Task<int> SweepAsync(
        DemoOptions options, string workloadPath, IReadOnlyList<WorkloadEntry> workload, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string folder = Path.GetFullPath(options.OutDirectory ?? ".");
        if (File.Exists(folder))
        {
            error.WriteLine($"error: --out '{options.OutDirectory}' is a file; give a folder.");
            return BadInput;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot create the folder '{options.OutDirectory}': {failure.Message}");
            return BadInput;
        }

        string ttl = options.Ttl is { } t ? DemoOptions.FormatDuration(t) : "off";
        output.WriteLine(Invariant($"Sweeping {SummaryTable.Count(workload.Count)} requests from {Path.GetFileName(workloadPath)} at {CapacitySweep.Fractions.Count} capacities under {string.Join(", ", CapacitySweep.Policies)}, TTL {ttl}."));
        Lock progressLock = new();
        int shown = 0;
        (IReadOnlyList<SweepPoint> points, int distinct, double meanBytes) = await CapacitySweep.RunAsync(
            workload,
            options.Ttl,
            (done, total) =>
            {
                // A bar a line at each quarter: readable on a terminal and in a log alike.
                lock (progressLock)
                {
                    int quarter = done * 4 / total;
                    if (quarter > shown)
                    {
                        shown = quarter;
                        int filled = quarter * 10;
                        output.WriteLine(Invariant($"  [{new string('#', filled)}{new string('.', 40 - filled)}] {quarter * 25,3}%"));
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);

        output.WriteLine();
        output.WriteLine(Invariant($"Miss ratio by capacity ({SummaryTable.Count(distinct)} distinct requests; answers {meanBytes:0} bytes each on average):"));
        output.WriteLine();
        output.WriteLine("| capacity | of distinct | answers' bytes | " + string.Join(" | ", CapacitySweep.Policies) + " |");
        output.WriteLine("|---:|---:|---:|" + string.Concat(CapacitySweep.Policies.Select(_ => "---:|")));
        foreach (int capacity in points.Select(p => p.Capacity).Distinct().Order())
        {
            IEnumerable<string> ratios = CapacitySweep.Policies.Select(policy => SummaryTable.Percent(points.Single(p => p.Policy == policy && p.Capacity == capacity).MissRatio));
            output.WriteLine(Invariant($"| {SummaryTable.Count(capacity)} | {SummaryTable.Percent((double)capacity / distinct)} | {MissRatioChart.Bytes(capacity * meanBytes)} | {string.Join(" | ", ratios)} |"));
        }

        SweepPoint best = points.MaxBy(p => p.HitRatio)!;
        SweepPoint enough = CapacitySweep.SmallestNearBest(points);
        output.WriteLine();
        output.WriteLine(Invariant($"Best hit ratio: {SummaryTable.Percent(best.HitRatio)} ({best.Policy} at {SummaryTable.Count(best.Capacity)} entries)."));
        output.WriteLine(Invariant($"Smallest capacity within 1 point of it: {SummaryTable.Count(enough.Capacity)} entries, about {MissRatioChart.Bytes(enough.Capacity * meanBytes)} of answers, with {enough.Policy} ({SummaryTable.Percent(enough.HitRatio)})."));

        (string svg, string png) = MissRatioChart.Write(points, meanBytes, $"Miss ratio of {Path.GetFileName(workloadPath)} by capacity", folder);
        output.WriteLine($"Chart: {svg}, {png}");
        return Success;
    }

    internal static string Describe(IReadOnlyList<WorkloadEntry> workload)
    {
        int systemPrompts = workload.Select(entry => entry.Request.SystemPrompt).Distinct(StringComparer.Ordinal).Count();
        int models = workload.Select(entry => entry.Request.Model).Distinct(StringComparer.Ordinal).Count();
        int multiTurn = workload.Count(entry => entry.Request.History.Turns.Count > 0);
        return $"{SummaryTable.Count(workload.Count)} recorded, {Plural(systemPrompts, "system prompt")}, {Plural(models, "model")}, {SummaryTable.Count(multiTurn)} multi-turn";
    }

    private static string Plural(int count, string noun) => $"{SummaryTable.Count(count)} {noun}{(count == 1 ? "" : "s")}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
