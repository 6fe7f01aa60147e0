using System.Text.Json;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// The per-request cache directives read from <see cref="ChatOptions.AdditionalProperties"/>, and the options to
/// forward once they are removed, so that they never reach the model provider.
/// </summary>
internal readonly record struct CacheControl(bool NoCache, bool NoStore)
{
    /// <summary>
    /// Reads the directives in <paramref name="options"/>. Returns <paramref name="options"/> itself when it has
    /// none (the common case, which allocates nothing); otherwise a copy without them, leaving the caller's
    /// options untouched.
    /// </summary>
    /// <exception cref="ArgumentException">A directive's value is not a Boolean.</exception>
    public static ChatOptions? Strip(ChatOptions? options, out CacheControl control)
    {
        control = default;
        AdditionalPropertiesDictionary? properties = options?.AdditionalProperties;
        if (properties is null || properties.Count == 0)
        {
            return options;
        }

        bool hasNoCache = properties.TryGetValue(ExactMatchCachingChatClient.NoCachePropertyName, out object? noCache);
        bool hasNoStore = properties.TryGetValue(ExactMatchCachingChatClient.NoStorePropertyName, out object? noStore);
        if (!hasNoCache && !hasNoStore)
        {
            return options;
        }

        bool? isNoCache = IsSet(noCache);
        bool? isNoStore = IsSet(noStore);
        if (isNoCache is null || isNoStore is null)
        {
            string name = isNoCache is null
                ? ExactMatchCachingChatClient.NoCachePropertyName
                : ExactMatchCachingChatClient.NoStorePropertyName;
            throw new ArgumentException($"The '{name}' chat option must be true or false.", nameof(options));
        }

        control = new CacheControl(isNoCache.Value, isNoStore.Value);

        ChatOptions stripped = options!.Clone();
        AdditionalPropertiesDictionary remaining = properties.Clone();
        remaining.Remove(ExactMatchCachingChatClient.NoCachePropertyName);
        remaining.Remove(ExactMatchCachingChatClient.NoStorePropertyName);
        stripped.AdditionalProperties = remaining.Count == 0 ? null : remaining;
        return stripped;
    }

    // True or false, as a Boolean or as JSON (options read from configuration); null for anything else.
    private static bool? IsSet(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };
}
