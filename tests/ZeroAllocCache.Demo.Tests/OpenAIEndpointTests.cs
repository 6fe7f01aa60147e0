using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

using ZeroAllocCache.Demo.Models;

namespace ZeroAllocCache.Demo.Tests;

/// <summary>
/// The real-model path against an OpenAI-compatible server on 127.0.0.1: real HTTP, the real OpenAI SDK through
/// Microsoft.Extensions.AI, and the generated cache in front.
/// </summary>
public class OpenAIEndpointTests
{
    private const string Key = "sk-test-key";
    private static readonly Dictionary<string, string> s_environment = new() { [OpenAIChatModel.ApiKeyVariable] = Key };

    private static readonly string s_followUp = """
        {"at_ms":3000,"model":"gpt-4o-mini","temperature":0.2,"max_tokens":300,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"How do I reset my password?"},{"role":"assistant","content":"Open Settings."},{"role":"user","content":"That did not work."}]}
        """;

    [Fact]
    public async Task A_second_identical_request_is_answered_by_the_cache_and_never_reaches_the_server()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(Key);
        using var workload = new TempWorkload(
            TempWorkload.Line("How do I reset my password?", atMilliseconds: 0),
            TempWorkload.Line("How do I reset my password?", atMilliseconds: 1000),
            TempWorkload.Line("Why was my card declined?", atMilliseconds: 2000));

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", server.Endpoint.ToString(), "--model", "local-model", "--workload", workload.Path], s_environment);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(
            ["How do I reset my password?", "Why was my card declined?"],
            server.Requests.Select(body => body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>()));
        Assert.Equal(1, run.SummaryNumber("hits"));
        Assert.Equal(2, run.SummaryNumber("misses"));
        Assert.Equal(OpenAICompatibleServer.PromptTokens + OpenAICompatibleServer.CompletionTokens, run.SummaryNumber("tokens saved"));
        Assert.Contains($"against 'local-model' at {server.Endpoint}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_receives_the_whole_conversation_the_model_from_the_command_line_and_the_key()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(Key);
        using var workload = new TempWorkload(s_followUp);

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", server.Endpoint.ToString(), "--model", "local-model", "--workload", workload.Path], s_environment);

        Assert.Equal(0, run.ExitCode);
        JsonObject body = Assert.Single(server.Requests);
        Assert.Equal("local-model", body["model"]!.GetValue<string>());
        Assert.Equal(0.2f, body["temperature"]!.GetValue<float>());
        Assert.Equal(300, (body["max_completion_tokens"] ?? body["max_tokens"])!.GetValue<int>());
        Assert.Equal(
            ["system: Be brief.", "user: How do I reset my password?", "assistant: Open Settings.", "user: That did not work."],
            body["messages"]!.AsArray().Select(message => $"{message!["role"]}: {Text(message["content"]!)}"));
        Assert.Equal(["Bearer " + Key], server.Authorizations);
    }

    [Fact]
    public async Task The_client_caches_real_answers_with_the_usage_the_server_reported()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(Key);
        using var model = new OpenAIChatModel(server.Endpoint, "local-model", Key, TimeSpan.FromSeconds(30));
        var client = new AssistantClient(model, new ExactMatchCache<ModelAnswer>(16));
        var request = new ChatRequest("Be brief.", "local-model", 0f, 100, ConversationHistory.Empty, "Hello?");

        ModelAnswer first = await client.AskAsync(request);
        ModelAnswer second = await client.AskAsync(request);

        Assert.Equal("You asked: Hello?", first.Text);
        Assert.Equal(OpenAICompatibleServer.PromptTokens, first.InputTokens);
        Assert.Equal(OpenAICompatibleServer.CompletionTokens, first.OutputTokens);
        Assert.True(first.ModelTime > TimeSpan.Zero);
        Assert.Same(first, second);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_rejected_key_ends_the_run_with_a_clear_message_exit_code_1_and_no_stack_trace()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(Key);
        using var workload = new TempWorkload(TempWorkload.Line("Hello?"));

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", server.Endpoint.ToString(), "--model", "local-model", "--workload", workload.Path],
            new Dictionary<string, string> { [OpenAIChatModel.ApiKeyVariable] = "sk-wrong" });

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {server.Endpoint} rejected the API key in OPENAI_API_KEY (HTTP 401).", run.Error.TrimEnd());
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Single(server.Authorizations); // 401 is not retried
    }

    [Fact]
    public async Task A_missing_key_that_the_server_requires_says_to_set_the_variable()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(Key);
        using var workload = new TempWorkload(TempWorkload.Line("Hello?"));

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", server.Endpoint.ToString(), "--model", "local-model", "--workload", workload.Path]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {server.Endpoint} needs an API key (HTTP 401): set OPENAI_API_KEY.", run.Error.TrimEnd());
    }

    [Fact]
    public async Task An_unknown_model_ends_the_run_with_a_clear_message()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync(failWith: HttpStatusCode.NotFound);
        using var workload = new TempWorkload(TempWorkload.Line("Hello?"));

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", server.Endpoint.ToString(), "--model", "no-such-model", "--workload", workload.Path], s_environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {server.Endpoint} has no chat-completions API or no model 'no-such-model' (HTTP 404).", run.Error.TrimEnd());
    }

    [Fact]
    public async Task An_unreachable_endpoint_ends_the_run_with_a_clear_message_exit_code_1_and_no_stack_trace()
    {
        var endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/v1");
        using var workload = new TempWorkload(TempWorkload.Line("Hello?"));

        DemoRun run = await DemoRun.StartAsync(
            ["--endpoint", endpoint.ToString(), "--model", "local-model", "--workload", workload.Path], s_environment);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: Could not reach {endpoint}: ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    // A port that was just free: nothing listens there, so a connection is refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // The SDK may send content as a string or as an array of text parts.
    private static string Text(JsonNode content) => content is JsonArray parts
        ? string.Concat(parts.Select(part => part!["text"]!.GetValue<string>()))
        : content.GetValue<string>();
}
