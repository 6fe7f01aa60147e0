using System.Runtime.CompilerServices;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// The size estimate of a cached <see cref="ChatResponse"/> for byte budgets
/// (<see cref="ExactMatchCacheOptions{TValue}.MaxBytes"/>): the strings it holds, byte for byte as
/// <see cref="CacheValueSizes.OfString"/> counts them, data contents' bytes, and a fixed allowance for each object
/// (the response, its messages, contents, usage and property bags) measured on .NET 10, 64-bit.
/// </summary>
/// <remarks>
/// Registered with <see cref="CacheValueSizes"/> by this assembly's initializer, beside the serializer: a cache of
/// <see cref="ChatResponse"/> with a byte budget needs no <see cref="ExactMatchCacheOptions{TValue}.SizeOf"/>, even one
/// built before anything from this assembly ran (the lookup runs the initializer). An estimate: objects this library
/// cannot see into (raw representations, custom contents' own fields) count only their allowance.
/// </remarks>
public static class ChatResponseSizes
{
    // Allowances per object, rounded up from what constructing each allocates on .NET 10 (x64).
    private const long ResponseObject = 136;
    private const long MessageObject = 104;
    private const long ContentObject = 72;
    private const long UsageObject = 88;
    private const long ListObject = 56;
    private const long PropertyBagObject = 96;
    private const long PropertyEntry = 48;

    /// <summary>The estimated bytes <paramref name="response"/> keeps alive.</summary>
    /// <param name="response">The response; <see langword="null"/> is 0.</param>
    /// <returns>The bytes.</returns>
    public static long Of(ChatResponse? response)
    {
        if (response is null)
        {
            return 0;
        }

        long size = ResponseObject + OfString(response.ResponseId) + OfString(response.ModelId) + OfString(response.ConversationId)
            + (response.Usage is null ? 0 : UsageObject) + OfProperties(response.AdditionalProperties) + OfList(response.Messages.Count);
        foreach (ChatMessage message in response.Messages)
        {
            size += MessageObject + OfString(message.AuthorName) + OfString(message.MessageId)
                + OfProperties(message.AdditionalProperties) + OfContents(message.Contents);
        }

        if (response is UncoalescedChatResponse uncoalesced)
        {
            size += OfList(uncoalesced.Updates.Count);
            foreach (ChatResponseUpdate update in uncoalesced.Updates)
            {
                size += MessageObject + OfString(update.ResponseId) + OfString(update.MessageId) + OfString(update.AuthorName)
                    + OfProperties(update.AdditionalProperties) + OfContents(update.Contents);
            }
        }

        return size;
    }

    private static long OfContents(IList<AIContent> contents)
    {
        long size = OfList(contents.Count);
        foreach (AIContent content in contents)
        {
            size += ContentObject + OfProperties(content.AdditionalProperties) + content switch
            {
                TextContent text => OfString(text.Text),
                TextReasoningContent reasoning => OfString(reasoning.Text),
                DataContent data => data.Data.Length + OfString(data.MediaType) + OfString(data.Name),
                UriContent uri => OfString(uri.Uri.OriginalString) + OfString(uri.MediaType),
                FunctionCallContent call => OfString(call.CallId) + OfString(call.Name) + OfProperties(call.Arguments),
                FunctionResultContent result => OfString(result.CallId) + (result.Result is string text ? OfString(text) : ContentObject),
                ErrorContent error => OfString(error.Message) + OfString(error.ErrorCode) + OfString(error.Details),
                UsageContent => UsageObject,
                _ => 0,
            };
        }

        return size;
    }

    // A property bag or a call's arguments: the dictionary, each entry and its name, and string values.
    private static long OfProperties(IEnumerable<KeyValuePair<string, object?>>? properties)
    {
        if (properties is null)
        {
            return 0;
        }

        long size = PropertyBagObject;
        foreach ((string name, object? value) in properties)
        {
            size += PropertyEntry + OfString(name) + (value as string is { } text ? OfString(text) : 0);
        }

        return size;
    }

    private static long OfList(int count) => ListObject + (8L * count);

    private static long OfString(string? value) => CacheValueSizes.OfString(value);

#pragma warning disable CA2255 // A library's module initializer: it only registers a default size estimate, as the type's remarks say.
    [ModuleInitializer]
    internal static void RegisterAsDefault() => CacheValueSizes.Register<ChatResponse>(Of);
#pragma warning restore CA2255
}
