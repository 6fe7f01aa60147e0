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
/// A text-only conversation is written without allocating. Requests that hold something that cannot be written
/// faithfully (an unknown content kind, an annotation, an arbitrary object in a property bag, a raw options factory,
/// a hosted tool...) are reported by <see cref="IsKeyable(IList{ChatMessage}, ChatOptions)"/>, and the caller forwards them uncached.
/// </para>
/// </remarks>
internal readonly struct ChatClientRequestKeySource : ICacheKeySource
{
    // Names this key shape and its format; bump the version whenever what is written changes, so old entries retire.
    private const string Domain = "zeroalloccache/m.e.ai-chat/v1";

    private readonly IList<ChatMessage> _messages;
    private readonly ChatOptions? _options;
    private readonly bool _streaming;

    public ChatClientRequestKeySource(IList<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        _messages = messages;
        _options = options;
        _streaming = streaming;
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
    public static bool TryCreateKey(IList<ChatMessage> messages, ChatOptions? options, bool streaming, out CacheKey key)
    {
        if (!IsKeyable(messages, options))
        {
            key = default;
            return false;
        }

        key = CacheKey.Create(new ChatClientRequestKeySource(messages, options, streaming));
        return true;
    }

    /// <summary>Whether every part of the request is something <see cref="WriteTo"/> writes faithfully.</summary>
    public static bool IsKeyable(IList<ChatMessage> messages, ChatOptions? options)
    {
        if (options is not null && !IsKeyable(options))
        {
            return false;
        }

        int count = messages.Count;
        for (int i = 0; i < count; i++)
        {
            ChatMessage? message = messages[i];
            if (message is null || !IsKeyable(message.AdditionalProperties))
            {
                return false;
            }

            IList<AIContent> contents = message.Contents;
            int contentCount = contents.Count;
            for (int j = 0; j < contentCount; j++)
            {
                if (!IsKeyable(contents[j]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write(Domain);
        writer.Write(_streaming);
        WriteOptions(ref writer, _options);

        Dictionary<string, int>? callIds = null;
        int count = _messages.Count;
        writer.BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            ChatMessage message = _messages[i];
            writer.Write(message.Role.Value);
            writer.Write(message.AuthorName);
            WriteProperties(ref writer, message.AdditionalProperties);

            // Contents last: the request then ends with the newest message's text, and everything before it is a
            // prefix that repeats across requests, whose hashing state the runtime keeps and resumes from.
            IList<AIContent> contents = message.Contents;
            int contentCount = contents.Count;
            writer.BeginSequence(contentCount);
            for (int j = 0; j < contentCount; j++)
            {
                WriteContent(ref writer, contents[j], ref callIds);
            }
        }
    }

    private static bool IsKeyable(ChatOptions options)
    {
        // Exact type, as for contents: a subclass may carry properties of its own that the key would miss. A raw options
        // factory, a continuation and background responses all carry state the key cannot see.
        if (options.GetType() != typeof(ChatOptions)
            || options.RawRepresentationFactory is not null
            || options.ContinuationToken is not null
            || options.AllowBackgroundResponses == true)
        {
            return false;
        }

        if (options.ResponseFormat is not (null or ChatResponseFormatText or ChatResponseFormatJson)
            || options.ToolMode is not (null or AutoChatToolMode or NoneChatToolMode or RequiredChatToolMode))
        {
            return false;
        }

        if (options.Tools is { } tools)
        {
            foreach (AITool tool in tools)
            {
                // Hosted tools (web search, file search, code interpreter...) read state outside the request.
                if (tool is not AIFunctionDeclaration || !IsKeyable(tool.AdditionalProperties))
                {
                    return false;
                }
            }
        }

        return IsKeyable(options.AdditionalProperties);
    }

    private static bool IsKeyable(AIContent? content)
    {
        if (content is null || content.Annotations is { Count: > 0 } || !IsKeyable(content.AdditionalProperties))
        {
            return false;
        }

        // Exact types: a subclass may carry state of its own that the key would miss.
        Type type = content.GetType();
        if (type == typeof(TextContent) || type == typeof(TextReasoningContent) || type == typeof(DataContent)
            || type == typeof(UriContent) || type == typeof(ErrorContent))
        {
            return true;
        }

        if (type == typeof(FunctionCallContent))
        {
            IDictionary<string, object?>? arguments = ((FunctionCallContent)content).Arguments;
            if (arguments is not null)
            {
                foreach (KeyValuePair<string, object?> argument in arguments)
                {
                    if (!IsKeyableValue(argument.Value))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        return type == typeof(FunctionResultContent) && IsKeyableValue(((FunctionResultContent)content).Result);
    }

    private static bool IsKeyable(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null)
        {
            return true;
        }

        foreach (KeyValuePair<string, object?> property in properties)
        {
            if (!IsKeyableValue(property.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsKeyable(IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return true;
        }

        foreach (KeyValuePair<string, object?> property in properties)
        {
            if (!IsKeyableValue(property.Value))
            {
                return false;
            }
        }

        return true;
    }

    // The values WriteValue writes: JSON scalars, JSON elements and the BCL scalars. Anything else has no faithful
    // encoding without serialisation, which is what this key exists to avoid.
    private static bool IsKeyableValue(object? value) => value is null or string or bool or char or sbyte or byte
        or short or ushort or int or uint or long or ulong or float or double or decimal or Guid or DateTime
        or DateTimeOffset or TimeSpan or JsonElement;

    private static void WriteOptions(ref CacheKeyWriter writer, ChatOptions? options)
    {
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
        WriteTools(ref writer, options?.Tools);

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

        WriteProperties(ref writer, options?.AdditionalProperties);
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

    private static void WriteTools(ref CacheKeyWriter writer, IList<AITool>? tools)
    {
        // No tool list and an empty one send the model the same request.
        int count = tools?.Count ?? 0;
        writer.BeginSequence(count);
        for (int i = 0; i < count; i++)
        {
            AIFunctionDeclaration function = (AIFunctionDeclaration)tools![i];
            writer.Write(function.Name);
            writer.Write(function.Description);
            WriteJson(ref writer, function.JsonSchema);
            WriteJson(ref writer, function.ReturnJsonSchema);
            WriteProperties(ref writer, function.AdditionalProperties);
        }
    }

    private static void WriteContent(ref CacheKeyWriter writer, AIContent content, ref Dictionary<string, int>? callIds)
    {
        switch (content)
        {
            case TextContent text:
                writer.WriteEnum(ContentKind.Text);
                writer.Write(text.Text);
                break;
            case TextReasoningContent reasoning:
                writer.WriteEnum(ContentKind.Reasoning);
                writer.Write(reasoning.Text);
                writer.Write(reasoning.ProtectedData);
                break;
            case DataContent data:
                writer.WriteEnum(ContentKind.Data);
                writer.Write(data.MediaType);
                writer.Write(data.Name);
                writer.WriteBytes(data.Data.Span);
                break;
            case UriContent uri:
                writer.WriteEnum(ContentKind.Uri);
                writer.Write(uri.Uri.OriginalString);
                writer.Write(uri.MediaType);
                break;
            case FunctionCallContent call:
                writer.WriteEnum(ContentKind.FunctionCall);
                writer.Write(CallOrdinal(call.CallId, ref callIds));
                writer.Write(call.Name);
                writer.Write(call.InformationalOnly);
                WriteArguments(ref writer, call.Arguments);
                break;
            case FunctionResultContent result:
                writer.WriteEnum(ContentKind.FunctionResult);
                writer.Write(CallOrdinal(result.CallId, ref callIds));
                WriteValue(ref writer, result.Result);
                writer.Write(result.Exception?.Message);
                break;
            case ErrorContent error:
                writer.WriteEnum(ContentKind.Error);
                writer.Write(error.Message);
                writer.Write(error.ErrorCode);
                writer.Write(error.Details);
                break;
            default:
                throw new InvalidOperationException($"{content.GetType()} passed IsKeyable but has no encoding.");
        }

        WriteProperties(ref writer, content.AdditionalProperties);
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

    private static void WriteArguments(ref CacheKeyWriter writer, IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            writer.WriteNull();
            return;
        }

        writer.BeginSequence(arguments.Count * 2);
        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            writer.Write(argument.Key);
            WriteValue(ref writer, argument.Value);
        }
    }

    private static void WriteProperties(ref CacheKeyWriter writer, AdditionalPropertiesDictionary? properties)
    {
        // An empty bag and no bag send the same request.
        if (properties is null || properties.Count == 0)
        {
            writer.BeginSequence(0);
            return;
        }

        // Insertion order, as the bag is serialised to the provider (and as M.E.AI's JSON key sees it).
        writer.BeginSequence(properties.Count * 2);
        foreach (KeyValuePair<string, object?> property in properties)
        {
            writer.Write(property.Key);
            WriteValue(ref writer, property.Value);
        }
    }

    // The same encoding as the overload above, for the read-only bags some contents carry. Kept apart because the
    // concrete AdditionalPropertiesDictionary enumerates with a struct enumerator: a text-only key stays allocation-free.
    private static void WriteProperties(ref CacheKeyWriter writer, IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            writer.BeginSequence(0);
            return;
        }

        writer.BeginSequence(properties.Count * 2);
        foreach (KeyValuePair<string, object?> property in properties)
        {
            writer.Write(property.Key);
            WriteValue(ref writer, property.Value);
        }
    }

    private static void WriteValue(ref CacheKeyWriter writer, object? value)
    {
        // The writer tags every field with its kind, so 1 (int) and 1L (long) and "1" stay distinct.
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
            default: throw new InvalidOperationException($"{value.GetType()} passed IsKeyable but has no encoding.");
        }
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
