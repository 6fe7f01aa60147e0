using System.Globalization;

using ZeroAllocCache.Demo.Models;

namespace ZeroAllocCache.Demo;

/// <summary>The demo's command-line options.</summary>
public sealed record DemoOptions
{
    /// <summary>The cache capacity without <c>--capacity</c>: smaller than the workload's distinct requests, so
    /// that evictions show.</summary>
    public const int DefaultCapacity = 512;

    /// <summary>The simulated model's latency without <c>--latency</c>.</summary>
    public const int DefaultLatencyMilliseconds = 5;

    /// <summary>The TTL without <c>--ttl</c>.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);

    /// <summary>The usage text that <c>--help</c> prints.</summary>
    public static string Usage { get; } = string.Create(CultureInfo.InvariantCulture, $$"""
        Replays recorded LLM traffic through a [CachedLlmCall] client and reports what the cache saved.

        Usage: ZeroAllocCache.Demo [options]

        Options:
          --requests N      Replay N requests (default: the whole workload; more than it holds replays it again).
          --capacity N      Entries the cache keeps before evicting the least recently used (default {{DefaultCapacity}}; 0 = no limit).
          --ttl DURATION    How long an entry stays fresh, on the workload's clock (default {{FormatDuration(DefaultTtl)}}).
                            A number above zero and a unit: ms, s, m (or min), h, as in 500ms, 90s, 1.5h;
                            or 'off' (or 'none') for no expiry. A bare number, 0 included, is an error.
          --latency MS      Milliseconds each simulated model call takes (default {{DefaultLatencyMilliseconds}}).
          --workload FILE   A JSONL workload, one chat-completions request per line (default: the bundled one).
          --endpoint URL    Call an OpenAI-compatible API instead of the simulated model, e.g. https://api.openai.com/v1
          --model NAME      The model to call at --endpoint, for every request (required with --endpoint).
          -h, --help        Show this help.

        Environment:
          {{OpenAIChatModel.ApiKeyVariable}}    The API key sent to --endpoint; leave unset for a local server that needs none.

        Exit codes: 0 done, 1 the model endpoint failed, 2 bad options or workload, 130 interrupted.
        """);

    /// <summary>How many requests to replay; <see langword="null"/> for the whole workload.</summary>
    public int? Requests { get; init; }

    /// <summary>The cache capacity; 0 for no limit.</summary>
    public int Capacity { get; init; } = DefaultCapacity;

    /// <summary>The TTL; <see langword="null"/> for none.</summary>
    public TimeSpan? Ttl { get; init; } = DefaultTtl;

    /// <summary>The simulated model's latency; <see langword="null"/> when not given.</summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>The workload file; <see langword="null"/> for the bundled one.</summary>
    public string? WorkloadPath { get; init; }

    /// <summary>The OpenAI-compatible endpoint; <see langword="null"/> for the simulated model.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The model to call at <see cref="Endpoint"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Whether <c>--help</c> was given.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Reads the command line.</summary>
    /// <param name="args">The arguments; <c>--name value</c> and <c>--name=value</c> are both accepted.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">An option is unknown, lacks its value or has a bad one.</exception>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new DemoOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string argument = args[i];
            string name = argument;
            string? inlineValue = null;
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (argument.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = argument[..equals];
                inlineValue = argument[(equals + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{name} needs a value.");
                }

                return args[++i];
            }

            options = name switch
            {
                "-h" or "--help" or "-?" => options with { ShowHelp = true },
                "--requests" => options with { Requests = WholeNumber(name, Value(), minimum: 1) },
                "--capacity" => options with { Capacity = WholeNumber(name, Value(), minimum: 0, maximum: ExactMatchCache<string>.MaxSupportedSize) },
                "--ttl" => options with { Ttl = ParseTtl(name, Value()) },
                "--latency" => options with { Latency = TimeSpan.FromMilliseconds(WholeNumber(name, Value(), minimum: 0)) },
                "--workload" => options with { WorkloadPath = NonEmpty(name, Value()) },
                "--endpoint" => options with { Endpoint = ParseEndpoint(name, Value()) },
                "--model" => options with { Model = NonEmpty(name, Value()) },
                _ when argument.StartsWith('-') => throw new UsageException($"unknown option '{argument}'."),
                _ => throw new UsageException($"unexpected argument '{argument}'; the demo takes options only."),
            };
        }

        if (options.ShowHelp)
        {
            return options;
        }

        if (options.Endpoint is not null && options.Model is null)
        {
            throw new UsageException("--endpoint needs --model NAME: the model to call there.");
        }

        if (options.Model is not null && options.Endpoint is null)
        {
            throw new UsageException("--model applies to --endpoint; the simulated model answers under the workload's model names.");
        }

        if (options.Endpoint is not null && options.Latency is not null)
        {
            throw new UsageException("--latency sets the simulated model's latency; a real endpoint has its own.");
        }

        return options;
    }

    /// <summary>Reads a duration such as <c>500ms</c>, <c>90s</c>, <c>30m</c> or <c>2h</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration, above zero.</param>
    /// <returns>Whether the text is such a duration.</returns>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        int unitStart = text.Length;
        while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
        {
            unitStart--;
        }

        if (!double.TryParse(text.AsSpan(0, unitStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount)
            || amount <= 0)
        {
            return false;
        }

        double? milliseconds = text[unitStart..] switch
        {
            "ms" => amount,
            "s" => amount * 1_000,
            "m" or "min" => amount * 60_000,
            "h" => amount * 3_600_000,
            _ => null,
        };

        if (milliseconds is not { } value || value > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(value);
        return duration > TimeSpan.Zero;
    }

    /// <summary>Writes a duration the way <c>--ttl</c> reads it: <c>1h</c>, <c>30m</c>, <c>90s</c>, <c>250ms</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text.</returns>
    public static string FormatDuration(TimeSpan duration) => duration switch
    {
        _ when duration.Ticks % TimeSpan.TicksPerHour == 0 => Invariant($"{duration.Ticks / TimeSpan.TicksPerHour}h"),
        _ when duration.Ticks % TimeSpan.TicksPerMinute == 0 => Invariant($"{duration.Ticks / TimeSpan.TicksPerMinute}m"),
        _ when duration.Ticks % TimeSpan.TicksPerSecond == 0 => Invariant($"{duration.Ticks / TimeSpan.TicksPerSecond}s"),
        _ => Invariant($"{duration.TotalMilliseconds:0.###}ms"),
    };

    private static int WholeNumber(string name, string value, int minimum, int maximum = int.MaxValue)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < minimum)
        {
            throw new UsageException(Invariant($"{name} needs a whole number of at least {minimum}, not '{value}'."));
        }

        if (number > maximum)
        {
            throw new UsageException(Invariant($"{name} can be at most {maximum:N0}, not '{value}'."));
        }

        return number;
    }

    private static TimeSpan? ParseTtl(string name, string value)
    {
        if (value is "off" or "none")
        {
            return null;
        }

        // A bare number has no unit, and zero is not a TTL: both are errors rather than a guess ("0" once meant "off").
        if (!TryParseDuration(value, out TimeSpan ttl))
        {
            throw new UsageException($"{name} needs a duration above zero such as 90s, 30m or 2h, or 'off', not '{value}'.");
        }

        return ttl;
    }

    private static Uri ParseEndpoint(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"{name} needs an http or https URL such as https://api.openai.com/v1, not '{value}'.");
        }

        return uri;
    }

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} needs a value.") : value;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
