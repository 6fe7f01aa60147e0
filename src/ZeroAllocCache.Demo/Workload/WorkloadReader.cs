using System.Globalization;
using System.Text.Json;

namespace ZeroAllocCache.Demo.Workload;

/// <summary>
/// Reads a workload: JSON Lines, one chat-completions request per line, blank lines skipped. A line that is not a
/// valid request stops the read with a <see cref="WorkloadFormatException"/> that names the file and the line.
/// </summary>
/// <remarks>
/// A line is <c>{"at_ms":0,"model":"gpt-4o-mini","temperature":0.2,"max_tokens":512,"messages":[...]}</c>.
/// <c>model</c> and <c>messages</c> are required; the messages are an optional first <c>system</c> message, then
/// <c>user</c> and <c>assistant</c> turns ending with a <c>user</c> message. <c>at_ms</c> (milliseconds from the
/// start of the recording, never decreasing) defaults to the line before's; <c>temperature</c> to 1 and
/// <c>max_tokens</c> to none. Other properties are ignored.
/// </remarks>
public static class WorkloadReader
{
    /// <summary>The highest temperature chat-completions APIs accept.</summary>
    public const float MaxTemperature = 2f;

    /// <summary>Reads the workload file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The requests, in file order.</returns>
    /// <exception cref="WorkloadFormatException">A line is not a valid request, or the file holds none.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<WorkloadEntry> ReadFile(string path)
    {
        using StreamReader reader = File.OpenText(path);
        return Read(reader, path);
    }

    /// <summary>Reads a workload from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="fileName">The name that error messages give the text.</param>
    /// <returns>The requests, in order.</returns>
    /// <exception cref="WorkloadFormatException">A line is not a valid request, or there is none.</exception>
    public static IReadOnlyList<WorkloadEntry> Read(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(fileName);

        var entries = new List<WorkloadEntry>();
        TimeSpan previous = TimeSpan.Zero;
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            WorkloadEntry entry = ParseLine(line, previous, reason => new WorkloadFormatException(fileName, lineNumber, reason));
            entries.Add(entry);
            previous = entry.At;
        }

        if (entries.Count == 0)
        {
            throw new WorkloadFormatException($"{fileName}: holds no requests.");
        }

        return entries;
    }

    private static WorkloadEntry ParseLine(
        string line, TimeSpan previous, Func<string, WorkloadFormatException> error)
    {
        WorkloadLine? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(line, WorkloadJsonContext.Default.WorkloadLine);
        }
        catch (JsonException failure)
        {
            throw error(Describe(failure));
        }

        if (parsed is null)
        {
            throw error("expected a JSON object, found null.");
        }

        if (string.IsNullOrWhiteSpace(parsed.Model))
        {
            throw error("'model' is missing.");
        }

        float temperature = parsed.Temperature ?? 1f;
        if (!(temperature is >= 0f and <= MaxTemperature))
        {
            throw error(Invariant($"'temperature' is {temperature}; it must be between 0 and {MaxTemperature}."));
        }

        int maxTokens = parsed.MaxTokens ?? 0;
        if (maxTokens < 0)
        {
            throw error(Invariant($"'max_tokens' is {maxTokens}; it must not be negative."));
        }

        TimeSpan at = previous;
        if (parsed.AtMilliseconds is { } milliseconds)
        {
            if (milliseconds < 0)
            {
                throw error(Invariant($"'at_ms' is {milliseconds}; it must not be negative."));
            }

            at = TimeSpan.FromMilliseconds(milliseconds);
            if (at < previous)
            {
                throw error(Invariant($"'at_ms' is {milliseconds}, earlier than the line before ({previous.TotalMilliseconds:0})."));
            }
        }

        (string systemPrompt, ConversationHistory history, string userMessage) = ParseMessages(parsed.Messages, error);
        var request = new ChatRequest(
            systemPrompt, parsed.Model, temperature, maxTokens, history, userMessage);
        return new WorkloadEntry(at, request);
    }

    private static (string SystemPrompt, ConversationHistory History, string UserMessage) ParseMessages(
        List<WorkloadMessage?>? messages, Func<string, WorkloadFormatException> error)
    {
        if (messages is null || messages.Count == 0)
        {
            throw error("'messages' is missing or empty.");
        }

        string systemPrompt = string.Empty;
        var turns = new List<ChatTurn>();
        for (int i = 0; i < messages.Count; i++)
        {
            int number = i + 1;
            WorkloadMessage message = messages[i] ?? throw error(Invariant($"message {number} is null."));
            string content = message.Content ?? throw error(Invariant($"message {number} has no 'content'."));
            switch (message.Role)
            {
                case "system" when i == 0:
                    systemPrompt = content;
                    break;
                case "system":
                    throw error(Invariant($"message {number} is a 'system' message; only the first message may be one."));
                case "user":
                    turns.Add(new ChatTurn(TurnRole.User, content));
                    break;
                case "assistant":
                    turns.Add(new ChatTurn(TurnRole.Assistant, content));
                    break;
                case null:
                    throw error(Invariant($"message {number} has no 'role'."));
                default:
                    throw error(Invariant($"message {number} has role '{message.Role}'; expected 'system', 'user' or 'assistant'."));
            }
        }

        if (turns.Count == 0 || turns[^1].Role != TurnRole.User)
        {
            throw error("the last message must be a 'user' message: it is the one being asked.");
        }

        ConversationHistory history = turns.Count == 1 ? ConversationHistory.Empty : new ConversationHistory(turns[..^1]);
        return (systemPrompt, history, turns[^1].Content);
    }

    private static string Describe(JsonException failure)
    {
        string column = failure.BytePositionInLine is { } position
            ? Invariant($" (column {position + 1})")
            : string.Empty;

        // A value of the wrong type names its property; a syntax error has only a position.
        if (failure.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            && failure.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return $"'{path[2..]}' has a value of the wrong type{column}.";
        }

        string message = failure.Message;
        int end = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (end < 0)
        {
            end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        string detail = (end < 0 ? message : message[..end]).Trim();
        // The reader's first sentence says what is wrong; the rest restates it.
        int sentence = detail.IndexOf(". ", StringComparison.Ordinal);
        detail = (sentence < 0 ? detail : detail[..sentence]).TrimEnd('.', ' ', '|');
        return $"not valid JSON{column}: {detail}.";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
