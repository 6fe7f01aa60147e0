using System.Globalization;
using System.Text;

namespace ZeroAllocCache.Benchmarks.Requests;

/// <summary>
/// The request texts of every benchmark, fixed here so that every run and every contender hashes the same bytes.
/// All three use model <c>gpt-4o</c>, temperature 0.2 and 512 max tokens.
/// </summary>
public static class ReferenceRequests
{
    /// <summary>The model of every request.</summary>
    public const string Model = "gpt-4o";

    /// <summary>The temperature of every request.</summary>
    public const float Temperature = 0.2f;

    /// <summary>The token budget of every request.</summary>
    public const int MaxTokens = 512;

    /// <summary>The reference system prompt: 600 characters.</summary>
    public const string ReferenceSystemPrompt =
        "You are Ada, the support assistant of Northwind Cloud, a hosting provider for small businesses. "
        + "Answer the questions about billing, domains, email, backups and server performance. Be accurate, friendly "
        + "and brief: short paragraphs, numbered steps for procedures. Never invent prices, limits or features; "
        + "when the documentation is silent, say that you will check and offer to open a ticket. Never ask for "
        + "passwords or full card numbers. When a question involves data loss, an outage or security, tell the "
        + "customer to phone the on-call team at once. Reply in the customer's own language and sign as Ada.";

    /// <summary>The reference user message: 430 characters.</summary>
    public const string ReferenceUserMessage =
        "Hi, our online shop has been very slow since yesterday at about 6 pm. Product pages take eight to "
        + "ten seconds to load and the checkout sometimes times out. We changed nothing on our side, but we moved "
        + "to the Business plan last week. Could the upgrade have put us on a different server? What can I check "
        + "myself before I open a ticket, and how can I tell whether the nightly backup is what slows the site down? "
        + "Many thanks, Maria B.";

    /// <summary>The small system prompt: 50 characters.</summary>
    public const string SmallSystemPrompt = "You are a terse assistant. Answer in one sentence.";

    /// <summary>The small user message: 50 characters.</summary>
    public const string SmallUserMessage = "What is the capital city of Australia, and why so?";

    /// <summary>The large request's length of each text: 8,000 characters.</summary>
    public const int LargeLength = 8_000;

    /// <summary>The small request: 50 + 50 characters.</summary>
    public static ChatRequest Small { get; } = Create(SmallSystemPrompt, SmallUserMessage, 50, 50);

    /// <summary>The reference request: 600 + 430 characters.</summary>
    public static ChatRequest Reference { get; } = Create(ReferenceSystemPrompt, ReferenceUserMessage, 600, 430);

    /// <summary>
    /// The large request: 8,000 + 8,000 characters, the reference texts repeated (a long document pasted into the
    /// conversation, with the instructions repeated around it) and cut to length.
    /// </summary>
    public static ChatRequest Large { get; } = Create(
        Repeat(ReferenceSystemPrompt, LargeLength), Repeat(ReferenceUserMessage, LargeLength), LargeLength, LargeLength);

    /// <summary>Returns the request of a size.</summary>
    /// <param name="size">The size.</param>
    /// <returns>The request.</returns>
    public static ChatRequest Get(RequestSize size) => size switch
    {
        RequestSize.Small => Small,
        RequestSize.Reference => Reference,
        RequestSize.Large => Large,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };

    /// <summary>
    /// The reference request with a user message of its own: the reference message with <paramref name="number"/>
    /// written over its last eight characters, a new string every call. This is how traffic varies: the system
    /// prompt, model and parameters repeat, the user message changes.
    /// </summary>
    /// <param name="number">The message number, 0 to 99,999,999.</param>
    /// <returns>A 600 + 430 character request distinct from every other number's.</returns>
    public static ChatRequest Numbered(int number)
    {
        string message = string.Create(ReferenceUserMessage.Length, number, static (span, n) =>
        {
            ReferenceUserMessage.AsSpan().CopyTo(span);
            n.TryFormat(span[^8..], out _, "D8", CultureInfo.InvariantCulture);
        });
        return Reference with { UserMessage = message };
    }

    // The lengths are part of the suite's definition: a typo in a text must not change what is measured.
    private static ChatRequest Create(string systemPrompt, string userMessage, int systemLength, int userLength)
    {
        if (systemPrompt.Length != systemLength || userMessage.Length != userLength)
        {
            throw new InvalidOperationException(
                $"A request text has the wrong length: {systemPrompt.Length} + {userMessage.Length}, "
                + $"expected {systemLength} + {userLength}.");
        }

        return new ChatRequest(userMessage, systemPrompt, Model, Temperature, MaxTokens);
    }

    private static string Repeat(string text, int length)
    {
        StringBuilder builder = new(length + text.Length);
        while (builder.Length < length)
        {
            builder.Append(text).Append(' ');
        }

        return builder.ToString(0, length);
    }
}
