namespace ZeroAllocCache.Demo.Tests;

/// <summary>One in-process run of the demo, as a user at a terminal would see it.</summary>
internal sealed record DemoRun(int ExitCode, string Output, string Error)
{
    public static async Task<DemoRun> StartAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await DemoApp.RunAsync(
            args,
            output,
            error,
            name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null);
        return new DemoRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The number in the summary row <paramref name="label"/>, such as "hits".</summary>
    public long SummaryNumber(string label)
    {
        string row = Output.Split('\n').Single(line => line.StartsWith("  " + label + "  ", StringComparison.Ordinal));
        string value = row[(label.Length + 2)..].TrimStart().Split(' ')[0];
        return long.Parse(value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A workload file in the temp folder, deleted at the end of the test.</summary>
internal sealed class TempWorkload : IDisposable
{
    public TempWorkload(params string[] lines)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"workload-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(Path, lines);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);

    /// <summary>A valid workload line: one user question after an optional system prompt.</summary>
    public static string Line(string user, string model = "gpt-4o-mini", long atMilliseconds = 0, string system = "Be brief.") =>
        $$"""{"at_ms":{{atMilliseconds}},"model":"{{model}}","temperature":0.2,"max_tokens":300,"messages":[{"role":"system","content":"{{system}}"},{"role":"user","content":"{{user}}"}]}""";
}
