using ZeroAllocCache.Demo.Workload;

namespace ZeroAllocCache.Demo.Tests;

public class WorkloadReaderTests
{
    private static IReadOnlyList<WorkloadEntry> Read(string text) => WorkloadReader.Read(new StringReader(text), "test.jsonl");

    [Fact]
    public void A_line_becomes_a_request_with_its_system_prompt_history_and_last_user_message()
    {
        WorkloadEntry entry = Read("""
            {"at_ms":1500,"model":"gpt-4o","temperature":0.7,"max_tokens":256,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Plan a trip."}]}
            """).Single();

        Assert.Equal(TimeSpan.FromMilliseconds(1500), entry.At);
        Assert.Equal("Be brief.", entry.Request.SystemPrompt);
        Assert.Equal("gpt-4o", entry.Request.Model);
        Assert.Equal(0.7f, entry.Request.Temperature);
        Assert.Equal(256, entry.Request.MaxTokens);
        Assert.Equal([new ChatTurn(TurnRole.User, "Hi"), new ChatTurn(TurnRole.Assistant, "Hello!")], entry.Request.History.Turns);
        Assert.Equal("Plan a trip.", entry.Request.UserMessage);
    }

    [Fact]
    public void Optional_fields_default_to_no_system_prompt_temperature_1_no_token_limit_and_the_previous_arrival()
    {
        IReadOnlyList<WorkloadEntry> entries = Read("""
            {"at_ms":2000,"model":"m","messages":[{"role":"user","content":"first"}]}
            {"model":"m","messages":[{"role":"user","content":"second"}]}
            """);

        WorkloadEntry second = entries[1];
        Assert.Equal(string.Empty, second.Request.SystemPrompt);
        Assert.Equal(1f, second.Request.Temperature);
        Assert.Equal(0, second.Request.MaxTokens);
        Assert.Empty(second.Request.History.Turns);
        Assert.Equal(TimeSpan.FromSeconds(2), second.At);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_unknown_properties_ignored()
    {
        IReadOnlyList<WorkloadEntry> entries = Read("""

            {"model":"m","user":"someone","stream":false,"messages":[{"role":"user","content":"a","name":"x"}]}

            {"model":"m","messages":[{"role":"user","content":"b"}]}

            """);

        Assert.Equal(["a", "b"], entries.Select(entry => entry.Request.UserMessage));
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"}""", "test.jsonl:2: not valid JSON")]
    [InlineData("""hello""", "test.jsonl:2: not valid JSON (column 1)")]
    [InlineData("""null""", "test.jsonl:2: expected a JSON object, found null.")]
    [InlineData("""{"messages":[{"role":"user","content":"a"}]}""", "test.jsonl:2: 'model' is missing.")]
    [InlineData("""{"model":"m","messages":[]}""", "test.jsonl:2: 'messages' is missing or empty.")]
    [InlineData("""{"model":"m"}""", "test.jsonl:2: 'messages' is missing or empty.")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""", "test.jsonl:2: the last message must be a 'user' message")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"},{"role":"system","content":"b"},{"role":"user","content":"c"}]}""", "test.jsonl:2: message 2 is a 'system' message; only the first message may be one.")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"a"}]}""", "test.jsonl:2: message 1 has role 'tool'; expected 'system', 'user' or 'assistant'.")]
    [InlineData("""{"model":"m","messages":[{"content":"a"}]}""", "test.jsonl:2: message 1 has no 'role'.")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}]}""", "test.jsonl:2: message 1 has no 'content'.")]
    [InlineData("""{"model":"m","temperature":2.5,"messages":[{"role":"user","content":"a"}]}""", "test.jsonl:2: 'temperature' is 2.5; it must be between 0 and 2.")]
    [InlineData("""{"model":"m","temperature":"hot","messages":[{"role":"user","content":"a"}]}""", "test.jsonl:2: 'temperature' has a value of the wrong type")]
    [InlineData("""{"model":"m","max_tokens":-1,"messages":[{"role":"user","content":"a"}]}""", "test.jsonl:2: 'max_tokens' is -1; it must not be negative.")]
    [InlineData("""{"at_ms":500,"model":"m","messages":[{"role":"user","content":"a"}]}""", "test.jsonl:2: 'at_ms' is 500, earlier than the line before (1000).")]
    public void A_malformed_line_is_reported_with_the_file_and_its_line_number(string badLine, string expectedStart)
    {
        string text = """{"at_ms":1000,"model":"m","messages":[{"role":"user","content":"fine"}]}""" + "\n" + badLine + "\n";

        WorkloadFormatException failure = Assert.Throws<WorkloadFormatException>(() => Read(text));

        Assert.StartsWith(expectedStart, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Equal(2, failure.Line);
    }

    [Fact]
    public void Line_numbers_count_blank_lines()
    {
        WorkloadFormatException failure = Assert.Throws<WorkloadFormatException>(() => Read("""
            {"model":"m","messages":[{"role":"user","content":"a"}]}


            {"model":"m","messages":[{"role":"assistant","content":"b"}]}
            """));

        Assert.Equal(4, failure.Line);
    }

    [Fact]
    public void A_workload_without_requests_is_an_error()
    {
        WorkloadFormatException failure = Assert.Throws<WorkloadFormatException>(() => Read("\n  \n"));

        Assert.Equal("test.jsonl: holds no requests.", failure.Message);
    }

    [Fact]
    public void The_bundled_workload_looks_like_the_traffic_its_README_describes()
    {
        IReadOnlyList<WorkloadEntry> workload = WorkloadReader.ReadFile(DemoApp.BundledWorkloadPath);
        IEnumerable<ChatRequest> requests = workload.Select(entry => entry.Request);

        Assert.Equal(3_000, workload.Count);
        Assert.Equal(3, requests.Select(request => request.SystemPrompt).Distinct().Count());
        Assert.Equal(["gpt-4o", "gpt-4o-mini"], requests.Select(request => request.Model).Distinct().Order());
        Assert.True(requests.Select(request => request.Temperature).Distinct().Count() >= 2);
        Assert.InRange(requests.Count(request => request.History.Turns.Count > 0), 300, 500);
        Assert.InRange(requests.Where(request => request.History.Turns.Count == 0).Select(request => request.UserMessage).Distinct().Count(), 250, 400);
        Assert.True(workload.Zip(workload.Skip(1)).All(pair => pair.First.At <= pair.Second.At), "arrivals never go back in time");

        // Zipf-like: a few requests make a large share of the traffic, and many occur once.
        int[] frequencies = [.. requests
            .GroupBy(request => (request.Model, request.Temperature, request.SystemPrompt, History: string.Join('\u0001', request.History.Turns), request.UserMessage))
            .Select(group => group.Count())
            .OrderDescending()];
        Assert.True(frequencies.Take(10).Sum() > 0.2 * workload.Count, "the ten most frequent requests are over a fifth of the traffic");
        Assert.True(frequencies.Count(frequency => frequency == 1) > 300, "hundreds of requests occur once");
    }
}
