using ZeroAllocCache.Testing;

namespace ZeroAllocCache.Demo.Tests;

/// <summary><c>--redis</c>: the replay through replicas that share a real Redis.</summary>
public sealed class DemoRedisTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Replicas_sharing_Redis_answer_from_memory_and_from_Redis_and_report_model_calls_against_one_process()
    {
        DemoRun run = await DemoRun.StartAsync(["--redis", $"127.0.0.1:{redis.Port}", "--latency", "1", "--requests", "1500"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 replicas share Redis at 127.0.0.1:", run.Output, StringComparison.Ordinal);
        string hits = run.Output.Split('\n').Single(line => line.StartsWith("  hits ", StringComparison.Ordinal));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(hits, @"[\d,]+ in memory \+ [1-9][\d,]* from Redis"), run.Output);
        Assert.Contains("Model calls: ", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"Redis errors [\d,]+;", run.Output);
        Assert.Equal(run.SummaryNumber("requests"), run.SummaryNumber("hits") + run.SummaryNumber("misses"));
    }

    [Fact]
    public async Task Sharing_Redis_makes_fewer_model_calls_than_the_same_replicas_without_it()
    {
        DemoRun run = await DemoRun.StartAsync(["--redis", $"127.0.0.1:{redis.Port}", "--latency", "0", "--requests", "2000", "--ttl", "off"]);

        string line = run.Output.Split('\n').Single(l => l.StartsWith("Model calls: ", StringComparison.Ordinal));
        long[] numbers = [.. System.Text.RegularExpressions.Regex.Matches(line, @"(\d[\d,]*) for").Select(m => long.Parse(m.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(3, numbers.Length);
        Assert.True(numbers[0] < numbers[1], line); // sharing Redis < replicas on their own
    }

    [Fact]
    public async Task With_the_backplane_a_new_request_asked_on_every_replica_at_once_costs_one_model_call_in_the_fleet()
    {
        DemoRun run = await DemoRun.StartAsync(["--redis", $"127.0.0.1:{redis.Port}", "--replicas", "3", "--latency", "20", "--requests", "300"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 replicas share Redis", run.Output, StringComparison.Ordinal);
        Assert.Contains("Burst: a new request asked by 5 callers on each of the 3 replicas at once cost 1 model call in the fleet.", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"backplane messages received [1-9][\d,]*\.", run.Output);
    }

    [Fact]
    public async Task Replicas_without_redis_is_a_usage_error()
    {
        DemoRun run = await DemoRun.StartAsync(["--replicas", "3"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --replicas applies to --redis: the replicas share that Redis.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_Redis_is_one_line_and_exit_code_1()
    {
        using RedisServer stopped = new();
        stopped.Kill();

        DemoRun run = await DemoRun.StartAsync(["--redis", $"127.0.0.1:{stopped.Port}", "--latency", "0", "--requests", "10"]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: cannot reach Redis at 127.0.0.1:{stopped.Port}:", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData(":6379")]
    [InlineData("host:99999")]
    public async Task A_bad_redis_address_is_a_usage_error(string address)
    {
        DemoRun run = await DemoRun.StartAsync(["--redis", address]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: --redis needs a HOST:PORT such as 127.0.0.1:6379, not '{address}'.", run.Error, StringComparison.Ordinal);
    }
}
