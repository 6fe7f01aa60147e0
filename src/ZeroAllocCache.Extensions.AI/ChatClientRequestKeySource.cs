using System.Runtime.InteropServices;
using System.Text.Json;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// The cache key of one <see cref="IChatClient"/> request: every part of the messages and options that can change the
/// answer, written field by field through <see cref="CacheKeyWriter"/> without serialising anything.
/// </summary>
/// <remarks>
/// <para>
/// Order: a domain string that names the shape and its format version, the call mode, the options (model,
/// instructions, sampling, response format, tools...), then the messages in order. Message ids, timestamps, raw
/// representations and tool call ids are left out; call ids are replaced by the order in which each id first appears,
/// so that which result answers which call still counts.
/// </para>
/// <para>
/// A text-only conversation is written without allocating. The request is walked once: at the first part that cannot
/// be written faithfully (an unknown content kind, an annotation, an arbitrary object in a property bag, a raw options
/// factory, a hosted tool...) the key is abandoned (<see cref="CacheKeyWriter.Abandon"/>), and the caller forwards the
/// request uncached.
/// </para>
/// </remarks>
internal readonly struct ChatClientRequestKeySource : ICacheKeySource
{
    // Names this key shape and its format; bump the version whenever what is written changes, so old entries retire.
    private const string Domain = "zeroalloccache/m.e.ai-chat/v1";

    // The same shape with a client's additional values first: another domain, so that a key with values never meets
    // one without, and a client without values keeps the keys it always had.
    private const string DomainWithValues = "zeroalloccache/m.e.ai-chat+values/v1";

    private readonly IList<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly bool _streaming;
    private readonly object[]? _additionalValues;

    public ChatClientRequestKeySource(IList<ChatMessage> messages, ChatOptions? options, bool streaming, object[]? additionalValues = null)
    {
        _messages = messages;
        _options = options;
        _streaming = streaming;
        _additionalValues = additionalValues is { Length: > 0 } ? additionalValues : null;
    }

    private enum ContentKind : byte
    {
        Text = 1,
        Reasoning = 2,
        Data = 3,
        Uri = 4,
        FunctionCall = 5,
        FunctionResult = 6,
        Error = 7,
    }

    private enum FormatKind : byte
    {
        Text = 1,
        Json = 2,
    }

    private enum ToolModeKind : byte
    {
        Auto = 1,
        None = 2,
        Required = 3,
    }

    /// <summary>Computes the key, or returns <see langword="false"/> when the request cannot be keyed faithfully.</summary>
    public static bool TryCreateKey(IList<ChatMessage> messages, ChatOptions? options, bool streaming, object[]? additionalValues, out CacheKey key) =>
        CacheKey.TryCreate(new ChatClientRequestKeySource(messages, options, streaming, additionalValues), out key);

    /// <summary>Whether <paramref name="value"/> is of a kind the key writes faithfully (JSON elements and the BCL scalars).</summary>
    public static bool CanWrite(object? value) => value is null or string or bool or char or sbyte or byte or short or ushort
        or int or uint or long or ulong or float or double or decimal or Guid or DateTime or DateTimeOffset or TimeSpan or JsonElement;

    public void WriteTo(ref CacheKeyWriter writer)
    {
        if (!TryWrite(ref writer))
        {
            writer.Abandon();
        }
    }

    // Every writer below returns false at the first part it cannot write faithfully, having written part of the key:
    // the caller stops and the key is abandoned.
    private bool TryWrite(ref CacheKeyWriter writer)
    {
        if (_additionalValues is { } values)
        {
            writer.Write(DomainWithValues);
            writer.BeginSequence(values.Length);
            foreach (object value in values)
            {
                if (!TryWriteValue(ref writer, value))
                {
                    return false;
                }
            }
        }
        else
        {
            writer.Write(Domain);
        }

        writer.Write(_streaming);
        if (!TryWriteOptions(ref writer, _options))
        {
            return false;
        }

        Dictionary<string, int>? callIds = null;
        int count = _messages.Count;
        writer.BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            ChatMessage? message = _messages[i];
            if (message is null)
            {
                return false;
            }

            writer.Write(message.Role.Value);
            writer.Write(message.AuthorName);
            if (!TryWriteProperties(ref writer, message.AdditionalProperties))
            {
                return false;
            }

            // Contents last: the request then ends with the newest message's text, and everything before it is a
            // prefix that repeats across requests, whose hashing state the runtime keeps and resumes from.
            IList<AIContent> contents = message.Contents;
            int contentCount = contents.Count;
            writer.BeginSequence(contentCount);
            for (int j = 0; j < contentCount; j++)
            {
                if (!TryWriteContent(ref writer, contents[j], ref callIds))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TryWriteOptions(ref CacheKeyWriter writer, ChatOptions? options)
    {
        // Exact type, as for contents: a subclass may carry properties of its own that the key would miss. A raw options
        // factory, a continuation and background responses all carry state the key cannot see.
        if (options is not null
            && (options.GetType() != typeof(ChatOptions)
                || options.RawRepresentationFactory is not null
                || options.ContinuationToken is not null
                || options.AllowBackgroundResponses == true
                || options.ResponseFormat is not (null or ChatResponseFormatText or ChatResponseFormatJson)
                || options.ToolMode is not (null or AutoChatToolMode or NoneChatToolMode or RequiredChatToolMode)))
        {
            return false;
        }

        // No options and default options ask the same thing of the model, so they write the same fields.
        writer.Write(options?.ModelId);
        writer.Write(options?.Instructions);
        writer.Write(options?.Temperature);
        writer.Write(options?.TopP);
        writer.Write(options?.TopK);
        writer.Write(options?.MaxOutputTokens);
        writer.Write(options?.FrequencyPenalty);
        writer.Write(options?.PresencePenalty);
        writer.Write(options?.Seed);
        WriteStrings(ref writer, options?.StopSequences);
        WriteResponseFormat(ref writer, options?.ResponseFormat);
        WriteToolMode(ref writer, options?.ToolMode);
        writer.Write(options?.AllowMultipleToolCalls);
        if (!TryWriteTools(ref writer, options?.Tools))
        {
            return false;
        }

        if (options?.Reasoning is { } reasoning)
        {
            writer.Write(true);
            writer.WriteEnum(reasoning.Effort);
            writer.WriteEnum(reasoning.Output);
        }
        else
        {
            writer.WriteNull();
        }

        return TryWriteProperties(ref writer, options?.AdditionalProperties);
    }

    private static void WriteResponseFormat(ref CacheKeyWriter writer, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                writer.WriteNull();
                break;
            case ChatResponseFormatJson json:
                writer.WriteEnum(FormatKind.Json);
                WriteJson(ref writer, json.Schema);
                writer.Write(json.SchemaName);
                writer.Write(json.SchemaDescription);
                break;
            default:
                writer.WriteEnum(FormatKind.Text);
                break;
        }
    }

    private static void WriteToolMode(ref CacheKeyWriter writer, ChatToolMode? mode)
    {
        switch (mode)
        {
            case null:
                writer.WriteNull();
                break;
            case RequiredChatToolMode required:
                writer.WriteEnum(ToolModeKind.Required);
                writer.Write(required.RequiredFunctionName);
                break;
            case NoneChatToolMode:
                writer.WriteEnum(ToolModeKind.None);
                break;
            default:
                writer.WriteEnum(ToolModeKind.Auto);
                break;
        }
    }

    private static bool TryWriteTools(ref CacheKeyWriter writer, IList<AITool>? tools)
    {
        // No tool list and an empty one send the model the same request.
        int count = tools?.Count ?? 0;
        writer.BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            // Hosted tools (web search, file search, code interpreter...) read state outside the request.
            if (tools![i] is not AIFunctionDeclaration function)
            {
                return false;
            }

            writer.Write(function.Name);
            writer.Write(function.Description);
            WriteJson(ref writer, function.JsonSchema);
            WriteJson(ref writer, function.ReturnJsonSchema);
            if (!TryWriteProperties(ref writer, function.AdditionalProperties))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryWriteContent(ref CacheKeyWriter writer, AIContent? content, ref Dictionary<string, int>? callIds)
    {
        if (content is null || content.Annotations is { Count: > 0 })
        {
            return false;
        }

        // Exact types: a subclass may carry state of its own that the key would miss.
        Type type = content.GetType();
        if (type == typeof(TextContent))
        {
            writer.WriteEnum(ContentKind.Text);
            writer.Write(((TextContent)content).Text);
        }
        else if (type == typeof(TextReasoningContent))
        {
            TextReasoningContent reasoning = (TextReasoningContent)content;
            writer.WriteEnum(ContentKind.Reasoning);
            writer.Write(reasoning.Text);
            writer.Write(reasoning.ProtectedData);
        }
        else if (type == typeof(DataContent))
        {
            DataContent data = (DataContent)content;
            writer.WriteEnum(ContentKind.Data);
            writer.Write(data.MediaType);
            writer.Write(data.Name);
            writer.WriteBytes(data.Data.Span);
        }
        else if (type == typeof(UriContent))
        {
            UriContent uri = (UriContent)content;
            writer.WriteEnum(ContentKind.Uri);
            writer.Write(uri.Uri.OriginalString);
            writer.Write(uri.MediaType);
        }
        else if (type == typeof(FunctionCallContent))
        {
            FunctionCallContent call = (FunctionCallContent)content;
            writer.WriteEnum(ContentKind.FunctionCall);
            writer.Write(CallOrdinal(call.CallId, ref callIds));
            writer.Write(call.Name);
            writer.Write(call.InformationalOnly);
            if (!TryWriteArguments(ref writer, call.Arguments))
            {
                return false;
            }
        }
        else if (type == typeof(FunctionResultContent))
        {
            FunctionResultContent result = (FunctionResultContent)content;
            writer.WriteEnum(ContentKind.FunctionResult);
            writer.Write(CallOrdinal(result.CallId, ref callIds));
            if (!TryWriteValue(ref writer, result.Result))
            {
                return false;
            }

            writer.Write(result.Exception?.Message);
        }
        else if (type == typeof(ErrorContent))
        {
            ErrorContent error = (ErrorContent)content;
            writer.WriteEnum(ContentKind.Error);
            writer.Write(error.Message);
            writer.Write(error.ErrorCode);
            writer.Write(error.Details);
        }
        else
        {
            return false;
        }

        return TryWriteProperties(ref writer, content.AdditionalProperties);
    }

    // Call ids are provider-generated and differ between otherwise identical conversations; what matters is which
    // result answers which call, so each id is written as the order in which it first appeared.
    private static int CallOrdinal(string? callId, ref Dictionary<string, int>? callIds)
    {
        if (callId is null)
        {
            return -1;
        }

        // A dictionary, not a list: a conversation with thousands of tool calls is keyed in linear time.
        callIds ??= new Dictionary<string, int>(StringComparer.Ordinal);
        ref int ordinal = ref CollectionsMarshal.GetValueRefOrAddDefault(callIds, callId, out bool seen);
        if (!seen)
        {
            ordinal = callIds.Count - 1;
        }

        return ordinal;
    }

    private static bool TryWriteArguments(ref CacheKeyWriter writer, IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            writer.WriteNull();
            return true;
        }

        writer.BeginSequence(arguments.Count * 2);
        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            writer.Write(argument.Key);
            if (!TryWriteValue(ref writer, argument.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryWriteProperties(ref CacheKeyWriter writer, AdditionalPropertiesDictionary? properties)
    {
        // An empty bag and no bag send the same request.
        if (properties is null || properties.Count == 0)
        {
            writer.BeginSequence(0);
            return true;
        }

        // Insertion order, as the bag is serialised to the provider (and as M.E.AI's JSON key sees it).
        writer.BeginSequence(properties.Count * 2);
        foreach (KeyValuePair<string, object?> property in properties)
        {
            writer.Write(property.Key);
            if (!TryWriteValue(ref writer, property.Value))
            {
                return false;
            }
        }

        return true;
    }

    // The same encoding as the overload above, for the read-only bags some contents carry. Kept apart because the
    // concrete AdditionalPropertiesDictionary enumerates with a struct enumerator: a text-only key stays allocation-free.
    private static bool TryWriteProperties(ref CacheKeyWriter writer, IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            writer.BeginSequence(0);
            return true;
        }

        writer.BeginSequence(properties.Count * 2);
        foreach (KeyValuePair<string, object?> property in properties)
        {
            writer.Write(property.Key);
            if (!TryWriteValue(ref writer, property.Value))
            {
                return false;
            }
        }

        return true;
    }

    // JSON scalars, JSON elements and the BCL scalars. Anything else has no faithful encoding without serialisation,
    // which is what this key exists to avoid. The writer tags every field with its kind, so 1 (int), 1L (long) and "1"
    // stay distinct.
    private static bool TryWriteValue(ref CacheKeyWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNull(); break;
            case string s: writer.Write(s); break;
            case bool b: writer.Write(b); break;
            case char c: writer.Write(c); break;
            case sbyte sb: writer.Write(sb); break;
            case byte by: writer.Write(by); break;
            case short sh: writer.Write(sh); break;
            case ushort us: writer.Write(us); break;
            case int i: writer.Write(i); break;
            case uint ui: writer.Write(ui); break;
            case long l: writer.Write(l); break;
            case ulong ul: writer.Write(ul); break;
            case float f: writer.Write(f); break;
            case double d: writer.Write(d); break;
            case decimal m: writer.Write(m); break;
            case Guid g: writer.Write(g); break;
            case DateTime dt: writer.Write(dt); break;
            case DateTimeOffset dto: writer.Write(dto); break;
            case TimeSpan ts: writer.Write(ts); break;
            case JsonElement json: WriteJson(ref writer, json); break;
            default: return false;
        }

        return true;
    }

    private static void WriteJson(ref CacheKeyWriter writer, JsonElement? element)
    {
        if (element is { } value)
        {
            WriteJson(ref writer, value);
        }
        else
        {
            writer.WriteNull();
        }
    }

    // JSON is written as its raw UTF-8 text, read in place: no string is built. Equal text gives equal keys; the
    // same value written with other whitespace or property order gives another key (a miss, never a wrong hit).
    private static void WriteJson(ref CacheKeyWriter writer, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNull();
            return;
        }

        writer.WriteBytes(JsonMarshal.GetRawUtf8Value(element));
    }

    private static void WriteStrings(ref CacheKeyWriter writer, IList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNull();
            return;
        }

        int count = values.Count;
        writer.BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            writer.Write(values[i]);
        }
    }
}
