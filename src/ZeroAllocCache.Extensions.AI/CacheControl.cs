using System.Globalization;
using System.Text.Json;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// The per-request cache directives read from <see cref="ChatOptions.AdditionalProperties"/>, and the options to
/// forward once they are removed, so that they never reach the model provider.
/// </summary>
/// <param name="NoCache">Skip the cache read; the response replaces the stored one.</param>
/// <param name="NoStore">Read the cache, never write it.</param>
/// <param name="Partition">The partition the request's response belongs to, or <see langword="null"/>.</param>
/// <param name="Ttl">The TTL to store the response with, or <see langword="null"/> for the cache's.</param>
internal readonly record struct CacheControl(bool NoCache, bool NoStore, string? Partition, TimeSpan? Ttl)
{
    private static readonly string[] s_names =
    [
        ExactMatchCachingChatClient.NoCachePropertyName,
        ExactMatchCachingChatClient.NoStorePropertyName,
        ExactMatchCachingChatClient.PartitionPropertyName,
        ExactMatchCachingChatClient.TtlPropertyName,
    ];

    /// <summary>
    /// Reads the directives in <paramref name="options"/>. Returns <paramref name="options"/> itself when it has
    /// none (the common case, which allocates nothing); otherwise a copy without them, leaving the caller's
    /// options untouched.
    /// </summary>
    /// <exception cref="ArgumentException">A directive's value is not of its kind.</exception>
    public static ChatOptions? Strip(ChatOptions? options, out CacheControl control)
    {
        control = default;
        AdditionalPropertiesDictionary? properties = options?.AdditionalProperties;
        if (properties is null || properties.Count == 0 || !HasAny(properties))
        {
            return options;
        }

        properties.TryGetValue(ExactMatchCachingChatClient.NoCachePropertyName, out object? noCache);
        properties.TryGetValue(ExactMatchCachingChatClient.NoStorePropertyName, out object? noStore);
        properties.TryGetValue(ExactMatchCachingChatClient.PartitionPropertyName, out object? partition);
        properties.TryGetValue(ExactMatchCachingChatClient.TtlPropertyName, out object? ttl);
        control = new CacheControl(
            IsSet(noCache) ?? throw Invalid(ExactMatchCachingChatClient.NoCachePropertyName, "true or false"),
            IsSet(noStore) ?? throw Invalid(ExactMatchCachingChatClient.NoStorePropertyName, "true or false"),
            PartitionOf(partition),
            TtlOf(ttl));

        ChatOptions stripped = options!.Clone();
        AdditionalPropertiesDictionary remaining = properties.Clone();
        foreach (string name in s_names)
        {
            remaining.Remove(name);
        }

        stripped.AdditionalProperties = remaining.Count == 0 ? null : remaining;
        return stripped;
    }

    private static bool HasAny(AdditionalPropertiesDictionary properties)
    {
        foreach (string name in s_names)
        {
            if (properties.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
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

    private static string? PartitionOf(object? value) => value switch
    {
        null => null,
        string { Length: > 0 and <= ExactMatchCache<ChatResponse>.MaxPartitionNameLength } name => name,
        JsonElement { ValueKind: JsonValueKind.String } element when element.GetString() is { Length: > 0 and <= ExactMatchCache<ChatResponse>.MaxPartitionNameLength } name => name,
        _ => throw Invalid(ExactMatchCachingChatClient.PartitionPropertyName, $"a partition name of 1 to {ExactMatchCache<ChatResponse>.MaxPartitionNameLength} characters"),
    };

    // A TimeSpan above zero, or its text ("00:05:00") as options read from configuration carry it.
    private static TimeSpan? TtlOf(object? value)
    {
        TimeSpan? ttl = value switch
        {
            null => null,
            TimeSpan span => span,
            string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed) => parsed,
            JsonElement { ValueKind: JsonValueKind.String } element when TimeSpan.TryParse(element.GetString(), CultureInfo.InvariantCulture, out TimeSpan parsed) => parsed,
            _ => TimeSpan.Zero,
        };

        return ttl is null || ttl > TimeSpan.Zero ? ttl : throw Invalid(ExactMatchCachingChatClient.TtlPropertyName, "a TimeSpan above zero");
    }

    // Named after the public methods' parameter the directive came in.
    private static ArgumentException Invalid(string name, string what, string options = "options") =>
        new($"The '{name}' chat option must be {what}.", options);
}
