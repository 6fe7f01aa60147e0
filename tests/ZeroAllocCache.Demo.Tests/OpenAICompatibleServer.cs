using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZeroAllocCache.Demo.Tests;

/// <summary>
/// A minimal OpenAI-compatible chat-completions server on 127.0.0.1: real HTTP for the real SDK. It records every
/// request body, answers with fixed usage, and refuses a wrong key with 401 as the real API does.
/// </summary>
internal sealed class OpenAICompatibleServer : IAsyncDisposable
{
    public const int PromptTokens = 11;
    public const int CompletionTokens = 7;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonObject> _requests = new();
    private readonly ConcurrentQueue<string?> _authorizations = new();

    private OpenAICompatibleServer(WebApplication app) => _app = app;

    /// <summary>The base address to give the SDK, ending in <c>/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The chat-completions request bodies received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    /// <summary>The Authorization headers received, in order.</summary>
    public IReadOnlyList<string?> Authorizations => [.. _authorizations];

    /// <summary>Starts a server that accepts <paramref name="apiKey"/> only, or any key when it is null.</summary>
    public static async Task<OpenAICompatibleServer> StartAsync(string? apiKey = null, HttpStatusCode? failWith = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new OpenAICompatibleServer(app);

        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            string? authorization = context.Request.Headers.Authorization;
            server._authorizations.Enqueue(authorization);
            if (apiKey is not null && authorization != "Bearer " + apiKey)
            {
                return Error(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_api_key");
            }

            if (failWith is { } status)
            {
                return Error((int)status, "The model does not exist.", "model_not_found");
            }

            JsonObject body = (await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false))!.AsObject();
            server._requests.Enqueue(body);
            string question = body["messages"]!.AsArray()[^1]!["content"]!.GetValue<string>();
            return Results.Text(
                $$"""
                {
                  "id": "chatcmpl-{{server._requests.Count}}",
                  "object": "chat.completion",
                  "created": 1735689600,
                  "model": {{JsonSerializer.Serialize(body["model"]!.GetValue<string>())}},
                  "choices": [
                    {
                      "index": 0,
                      "message": { "role": "assistant", "content": {{JsonSerializer.Serialize("You asked: " + question)}} },
                      "finish_reason": "stop"
                    }
                  ],
                  "usage": { "prompt_tokens": {{PromptTokens}}, "completion_tokens": {{CompletionTokens}}, "total_tokens": {{PromptTokens + CompletionTokens}} }
                }
                """,
                "application/json");
        });

        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static IResult Error(int status, string message, string code) => Results.Text(
        new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["code"] = code },
        }.ToJsonString(),
        "application/json",
        statusCode: status);
}
