using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;

using Microsoft.Extensions.AI;

using OpenAI;

namespace ZeroAllocCache.Demo.Models;

/// <summary>
/// A real model behind any OpenAI-compatible chat-completions endpoint, called through the official OpenAI SDK and its
/// Microsoft.Extensions.AI adapter.
/// </summary>
public sealed class OpenAIChatModel : IChatModel, IDisposable
{
    /// <summary>The environment variable that holds the API key.</summary>
    public const string ApiKeyVariable = "OPENAI_API_KEY";

    // Local servers (Ollama, llama.cpp, vLLM) need no key, but the SDK needs a non-empty one.
    private const string NoKey = "no-key";

    private readonly IChatClient _client;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly bool _hasKey;

    /// <summary>Creates a model that sends every request to <paramref name="model"/> at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The API's base address, such as <c>https://api.openai.com/v1</c>.</param>
    /// <param name="model">The model name.</param>
    /// <param name="apiKey">The key, or <see langword="null"/> for a server that needs none.</param>
    /// <param name="timeout">How long one call may take.</param>
    public OpenAIChatModel(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        _endpoint = endpoint;
        _model = model;
        _hasKey = !string.IsNullOrEmpty(apiKey);

        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = timeout,
            // Two retries ride out a rate limit or a restart; an endpoint that is down fails within seconds.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 2),
        };
        _client = new OpenAIClient(new ApiKeyCredential(_hasKey ? apiKey! : NoKey), options)
            .GetChatClient(model)
            .AsIChatClient();
    }

    /// <inheritdoc/>
    public string Description => $"'{_model}' at {_endpoint}";

    /// <inheritdoc/>
    public async ValueTask<ModelReply> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var messages = new List<ChatMessage>(request.History.Turns.Count + 2);
        if (request.SystemPrompt.Length > 0)
        {
            messages.Add(new ChatMessage(ChatRole.System, request.SystemPrompt));
        }

        foreach (ChatTurn turn in request.History.Turns)
        {
            messages.Add(new ChatMessage(turn.Role == TurnRole.User ? ChatRole.User : ChatRole.Assistant, turn.Content));
        }

        messages.Add(new ChatMessage(ChatRole.User, request.UserMessage));
        var options = new ChatOptions
        {
            ModelId = request.Model,
            Temperature = request.Temperature,
            MaxOutputTokens = request.MaxTokens > 0 ? request.MaxTokens : null,
        };

        ChatResponse response;
        try
        {
            response = await _client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientResultException failure)
        {
            throw Explain(failure);
        }
        catch (AggregateException failure) when (failure.InnerExceptions is [.., ClientResultException last])
        {
            // The retry policy gives up with every attempt's failure; the last one says what is wrong now.
            throw Explain(last);
        }
        catch (HttpRequestException failure)
        {
            throw Unreachable(failure);
        }
        catch (OperationCanceledException failure) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModelEndpointException($"{_endpoint} did not answer in time.", failure);
        }

        return new ModelReply(
            response.Text,
            checked((int)(response.Usage?.InputTokenCount ?? 0)),
            checked((int)(response.Usage?.OutputTokenCount ?? 0)));
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private ModelEndpointException Explain(ClientResultException failure)
    {
        // The SDK reports a transport failure (refused connection, unknown host) as status 0.
        if (failure.Status == 0)
        {
            return Unreachable(failure.InnerException ?? failure);
        }

        string status = string.Create(CultureInfo.InvariantCulture, $"HTTP {failure.Status}");
        return (HttpStatusCode)failure.Status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ModelEndpointException(
                _hasKey
                    ? $"{_endpoint} rejected the API key in {ApiKeyVariable} ({status})."
                    : $"{_endpoint} needs an API key ({status}): set {ApiKeyVariable}.",
                failure),
            HttpStatusCode.NotFound => new ModelEndpointException(
                $"{_endpoint} has no chat-completions API or no model '{_model}' ({status}).", failure),
            _ => new ModelEndpointException($"{_endpoint} failed the request ({status}): {FirstLine(failure.Message)}", failure),
        };
    }

    private ModelEndpointException Unreachable(Exception failure) =>
        new($"Could not reach {_endpoint}: {FirstLine(failure.Message)}", failure);

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
