namespace ZeroAllocCache.Demo.Tests;

/// <summary>The demo as a command: options, exit codes and what it prints.</summary>
public class DemoCommandLineTests
{
    [Fact]
    public void Without_options_the_demo_replays_the_bundled_workload_with_the_documented_defaults()
    {
        DemoOptions options = DemoOptions.Parse([]);

        Assert.Null(options.Requests);
        Assert.Null(options.WorkloadPath);
        Assert.Null(options.Endpoint);
        Assert.Equal(512, options.Capacity);
        Assert.Equal(TimeSpan.FromHours(1), options.Ttl);
        Assert.Null(options.Latency);
        Assert.Equal(5, DemoOptions.DefaultLatencyMilliseconds);
        Assert.True(File.Exists(DemoApp.BundledWorkloadPath));
    }

    [Fact]
    public void Every_option_is_read_in_both_spellings()
    {
        DemoOptions spaced = DemoOptions.Parse(["--requests", "200", "--capacity", "64", "--ttl", "30m", "--latency", "0", "--workload", "w.jsonl"]);
        DemoOptions joined = DemoOptions.Parse(["--requests=200", "--capacity=64", "--ttl=30m", "--latency=0", "--workload=w.jsonl"]);
        DemoOptions endpoint = DemoOptions.Parse(["--endpoint", "http://127.0.0.1:8080/v1", "--model", "llama3", "--ttl", "off"]);

        Assert.Equal(spaced, joined);
        Assert.Equal(200, spaced.Requests);
        Assert.Equal(64, spaced.Capacity);
        Assert.Equal(TimeSpan.FromMinutes(30), spaced.Ttl);
        Assert.Equal(TimeSpan.Zero, spaced.Latency);
        Assert.Equal("w.jsonl", spaced.WorkloadPath);
        Assert.Equal(new Uri("http://127.0.0.1:8080/v1"), endpoint.Endpoint);
        Assert.Equal("llama3", endpoint.Model);
        Assert.Null(endpoint.Ttl);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("90s", 90_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2h", 7_200_000)]
    public void Durations_take_a_unit(string text, double milliseconds)
    {
        Assert.True(DemoOptions.TryParseDuration(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("90")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    [InlineData("3d")]
    [InlineData("m")]
    public void Durations_without_a_known_unit_or_above_zero_are_refused(string text)
    {
        Assert.False(DemoOptions.TryParseDuration(text, out _));
    }

    [Fact]
    public async Task Help_prints_the_usage_with_every_option_and_the_key_variable_and_exits_0()
    {
        DemoRun run = await DemoRun.StartAsync(["--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        foreach (string option in new[] { "--requests", "--capacity", "--ttl", "--latency", "--workload", "--endpoint", "--model", "--redis", "--replicas", "--snapshot", "OPENAI_API_KEY" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "error: unknown option '--bogus'.")]
    [InlineData(new[] { "replay" }, "error: unexpected argument 'replay'; the demo takes options only.")]
    [InlineData(new[] { "--requests" }, "error: --requests needs a value.")]
    [InlineData(new[] { "--requests", "many" }, "error: --requests needs a whole number of at least 1, not 'many'.")]
    [InlineData(new[] { "--requests", "0" }, "error: --requests needs a whole number of at least 1, not '0'.")]
    [InlineData(new[] { "--capacity", "-1" }, "error: --capacity needs a whole number of at least 0, not '-1'.")]
    [InlineData(new[] { "--capacity", "1073741825" }, "error: --capacity can be at most 1,073,741,824, not '1073741825'.")]
    [InlineData(new[] { "--capacity", "99999999999" }, "error: --capacity needs a whole number of at least 0, not '99999999999'.")]
    [InlineData(new[] { "--ttl", "soon" }, "error: --ttl needs a duration above zero such as 90s, 30m or 2h, or 'off', not 'soon'.")]
    [InlineData(new[] { "--ttl", "0" }, "error: --ttl needs a duration above zero such as 90s, 30m or 2h, or 'off', not '0'.")]
    [InlineData(new[] { "--ttl", "0s" }, "error: --ttl needs a duration above zero such as 90s, 30m or 2h, or 'off', not '0s'.")]
    [InlineData(new[] { "--ttl", "30" }, "error: --ttl needs a duration above zero such as 90s, 30m or 2h, or 'off', not '30'.")]
    [InlineData(new[] { "--endpoint", "localhost:8080" }, "error: --endpoint needs an http or https URL such as https://api.openai.com/v1, not 'localhost:8080'.")]
    [InlineData(new[] { "--endpoint", "http://127.0.0.1:1/v1" }, "error: --endpoint needs --model NAME: the model to call there.")]
    [InlineData(new[] { "--model", "gpt-4o" }, "error: --model applies to --endpoint; the simulated model answers under the workload's model names.")]
    [InlineData(new[] { "--endpoint", "http://127.0.0.1:1/v1", "--model", "m", "--latency", "5" }, "error: --latency sets the simulated model's latency; a real endpoint has its own.")]
    [InlineData(new[] { "--snapshot" }, "error: --snapshot needs a value.")]
    [InlineData(new[] { "--snapshot", " " }, "error: --snapshot needs a value.")]
    [InlineData(new[] { "--snapshot", "c.snap", "--redis", "127.0.0.1:6379" }, "error: --snapshot keeps one process's cache; the replicas of --redis keep theirs in Redis.")]
    public async Task A_bad_command_line_prints_the_error_and_the_usage_and_exits_2(string[] args, string expectedError)
    {
        DemoRun run = await DemoRun.StartAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        string[] lines = run.Error.Split(Environment.NewLine);
        Assert.Equal(expectedError, lines[0]);
        Assert.Contains("Usage:" + Environment.NewLine + "  ZeroAllocCache.Demo [command] [options]", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_workload_line_prints_one_line_with_the_file_and_line_and_exits_2()
    {
        using var workload = new TempWorkload(
            TempWorkload.Line("How do I reset my password?"),
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"unterminated}]}""");

        DemoRun run = await DemoRun.StartAsync(["--workload", workload.Path]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        Assert.StartsWith($"error: {workload.Path}:2: not valid JSON", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_directory_given_as_the_workload_is_named_as_a_directory_with_exit_code_2()
    {
        string directory = Directory.CreateTempSubdirectory("workload-dir-").FullName;
        try
        {
            DemoRun run = await DemoRun.StartAsync(["--workload", directory]);

            Assert.Equal(2, run.ExitCode);
            Assert.Equal($"error: the workload '{directory}' is a directory; give a JSONL file.", run.Error.TrimEnd());
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task The_help_says_which_ttl_spellings_are_accepted()
    {
        DemoRun run = await DemoRun.StartAsync(["--help"]);

        Assert.Contains("ms, s, m (or min), h", run.Output, StringComparison.Ordinal);
        Assert.Contains("'off' (or 'none')", run.Output, StringComparison.Ordinal);
        Assert.Contains("A bare number, 0 included, is an error.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_workload_file_is_a_one_line_error_with_exit_code_2()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.jsonl");

        DemoRun run = await DemoRun.StartAsync(["--workload", missing]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot read the workload '{missing}':", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_bundled_workload_replays_with_progress_and_a_summary_that_adds_up()
    {
        DemoRun run = await DemoRun.StartAsync(["--latency", "0"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Contains("Replaying 3,000 requests from workload.jsonl (3,000 recorded, 3 system prompts, 2 models,", run.Output, StringComparison.Ordinal);
        Assert.Contains("   10%      300 / 3,000 requests", run.Output, StringComparison.Ordinal);
        Assert.Contains("  100%    3,000 / 3,000 requests", run.Output, StringComparison.Ordinal);

        long hits = run.SummaryNumber("hits");
        Assert.Equal(3_000, run.SummaryNumber("requests"));
        Assert.Equal(3_000, hits + run.SummaryNumber("misses"));
        Assert.Equal(hits, run.SummaryNumber("model calls saved"));
        Assert.InRange(hits, 1_000, 2_220); // at most 74%: 780 of the 3,000 requests are distinct
        Assert.True(run.SummaryNumber("tokens saved") > hits * 10, "each hit saves its prompt and its answer");
        Assert.InRange(run.SummaryNumber("entries"), 1, 512);
        Assert.True(run.SummaryNumber("evictions") > 0, "780 distinct requests do not fit in 512 entries");
        Assert.True(run.SummaryNumber("expirations") > 0, "four hours of traffic outlive a 1h TTL");
        Assert.Contains("  hit latency p50  ", run.Output, StringComparison.Ordinal);
        Assert.Contains("  hit latency p99  ", run.Output, StringComparison.Ordinal);
        Assert.Contains("  bytes allocated per hit  ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_workload_gives_the_same_counts_every_run()
    {
        string[] args = ["--latency", "0", "--requests", "1500", "--capacity", "100", "--ttl", "20m"];

        DemoRun first = await DemoRun.StartAsync(args);
        DemoRun second = await DemoRun.StartAsync(args);

        foreach (string label in new[] { "hits", "misses", "tokens saved", "entries", "evictions", "expirations" })
        {
            Assert.Equal(first.SummaryNumber(label), second.SummaryNumber(label));
        }
    }
}
