using System.Globalization;
using System.Text;

namespace ZeroAllocCache.Demo.Models;

/// <summary>
/// A stand-in for a chat model that needs no network: the same request always gets the same answer, after a fixed
/// latency, with token counts estimated the way tokenizers roughly count English (about four characters a token).
/// </summary>
public sealed class SimulatedModel : IChatModel
{
    // Per-message framing tokens, as chat-completions APIs count them.
    private const int TokensPerMessage = 4;
    private const int TokensPerRequest = 3;
    private const int DefaultMaxTokens = 1024;

    private static readonly string[] s_sentences =
    [
        "Start from the setting that controls this behaviour and check its current value.",
        "The short answer is yes, with one caveat worth knowing before you change anything.",
        "Here is the sequence of steps that works in most setups.",
        "If that does not help, the logs usually name the exact cause.",
        "Most people hit this after an upgrade, and the fix takes a minute.",
        "A small example shows the idea better than a long explanation.",
        "Keep the defaults unless you measured a reason to change them.",
        "The documentation covers the edge cases in its reference section.",
        "Costs stay predictable when you set a limit up front.",
        "Try it on a copy first, then apply it where it matters.",
        "That option exists for exactly this situation.",
        "Expect the change to take effect within a few minutes.",
    ];

    private readonly TimeSpan _latency;

    /// <summary>Creates a simulated model that takes <paramref name="latency"/> to answer each call.</summary>
    /// <param name="latency">The time each call takes; zero answers at once.</param>
    public SimulatedModel(TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        _latency = latency;
    }

    /// <inheritdoc/>
    public string Description => string.Create(
        CultureInfo.InvariantCulture, $"the simulated model ({_latency.TotalMilliseconds:0.#} ms per call)");

    /// <inheritdoc/>
    public async ValueTask<ModelReply> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, cancellationToken).ConfigureAwait(false);
        }

        return Answer(request);
    }

    /// <summary>The answer and token counts for a request, without the latency.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The same reply for the same request, every time.</returns>
    public static ModelReply Answer(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ulong hash = StableHash(request);

        int budget = request.MaxTokens > 0 ? request.MaxTokens : DefaultMaxTokens;
        int wanted = Math.Min(budget, 40 + (int)(hash % 260));

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"[{request.Model}] ");
        ulong state = hash;
        while (EstimateTokens(text.Length) < wanted)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            text.Append(s_sentences[(int)(state >> 33) % s_sentences.Length]).Append(' ');
        }

        // Whole sentences may overshoot the budget; a model stops at its limit, mid-sentence if it must.
        string answer = text.ToString(0, Math.Min(text.Length, wanted * 4)).TrimEnd();
        return new ModelReply(answer, InputTokens(request), EstimateTokens(answer.Length));
    }

    /// <summary>The prompt tokens a request consumes: its messages' text plus the framing of each message.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The estimated count.</returns>
    public static int InputTokens(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        int tokens = TokensPerRequest;
        if (request.SystemPrompt.Length > 0)
        {
            tokens += TokensPerMessage + EstimateTokens(request.SystemPrompt.Length);
        }

        foreach (ChatTurn turn in request.History.Turns)
        {
            tokens += TokensPerMessage + EstimateTokens(turn.Content.Length);
        }

        return tokens + TokensPerMessage + EstimateTokens(request.UserMessage.Length);
    }

    private static int EstimateTokens(int characters) => (characters + 3) / 4;

    // FNV-1a over every field: stable across runs and processes, unlike string.GetHashCode.
    private static ulong StableHash(ChatRequest request)
    {
        ulong hash = 14695981039346656037UL;
        Mix(ref hash, request.Model);
        Mix(ref hash, request.SystemPrompt);
        Mix(ref hash, request.Temperature.ToString(CultureInfo.InvariantCulture));
        foreach (ChatTurn turn in request.History.Turns)
        {
            Mix(ref hash, turn.Role == TurnRole.User ? "user" : "assistant");
            Mix(ref hash, turn.Content);
        }

        Mix(ref hash, request.UserMessage);
        return hash;
    }

    private static void Mix(ref ulong hash, string value)
    {
        foreach (char c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ 0xFFFF) * 1099511628211UL;
    }
}
