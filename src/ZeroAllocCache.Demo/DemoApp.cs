using System.Diagnostics;
using System.Globalization;

using ZeroAllocCache.Demo.Models;
using ZeroAllocCache.Demo.Replay;
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
            output.Write(DemoOptions.Usage);
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
                ? await ReplayAsync(options, workloadPath, workload, model, output, cancellationToken).ConfigureAwait(false)
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
        CancellationToken cancellationToken)
    {
        int requests = options.Requests ?? workload.Count;
        var clock = new ReplayClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new ExactMatchCache<ModelAnswer>(options.Capacity, options.Ttl, clock);
        var client = new AssistantClient(model, cache);

        output.WriteLine(Invariant(
            $"Replaying {SummaryTable.Count(requests)} requests from {Path.GetFileName(workloadPath)} ({Describe(workload)}) against {model.Description}."));
        output.WriteLine(Invariant(
            $"Cache: capacity {(options.Capacity == 0 ? "unbounded" : SummaryTable.Count(options.Capacity))}, TTL {(options.Ttl is { } ttl ? DemoOptions.FormatDuration(ttl) : "off")}."));
        output.WriteLine();

        long started = Stopwatch.GetTimestamp();
        ReplayMeasurements measurements = await Replayer.RunAsync(
            client,
            clock,
            workload,
            requests,
            progress => output.WriteLine(Invariant(
                $"  {progress.Done * 100 / progress.Total,3}%  {SummaryTable.Count(progress.Done),7} / {SummaryTable.Count(progress.Total)} requests   hit rate {SummaryTable.Percent((double)progress.Hits / progress.Done)}")),
            cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

        output.WriteLine();
        SummaryTable.Write(output, ReplaySummary.From(measurements, client.Stats, options.Capacity, options.Ttl));
        output.WriteLine();
        output.WriteLine(Invariant($"Replayed in {SummaryTable.Duration(elapsed)}; {SummaryTable.Count(client.ModelCalls)} model calls."));
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
