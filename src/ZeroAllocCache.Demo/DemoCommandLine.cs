using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

using ZeroAllocCache.Demo.Models;

namespace ZeroAllocCache.Demo;

/// <summary>
/// The demo's command line, declared with System.CommandLine: each option with its parser, which reports a bad value
/// as a one-line message naming the option, and the help that System.CommandLine writes from the declarations.
/// </summary>
internal static class DemoCommandLine
{
    private const string CommandName = "ZeroAllocCache.Demo";

    private static readonly Option<int?> Requests = new("--requests")
    {
        Description = "Replay N requests (default: the whole workload; more than it holds replays it again).",
        HelpName = "N",
        CustomParser = r => WholeNumber(r, minimum: 1),
    };

    private static readonly Option<int?> Capacity = new("--capacity")
    {
        Description = Invariant($"Entries the cache keeps before evicting the least recently used (default {DemoOptions.DefaultCapacity}; 0 = no limit; at most {ExactMatchCache<string>.MaxSupportedSize:N0})."),
        HelpName = "N",
        CustomParser = r => WholeNumber(r, minimum: 0, maximum: ExactMatchCache<string>.MaxSupportedSize),
    };

    // The text, checked by its parser: a null value means "off", which System.CommandLine cannot carry in a TimeSpan?.
    private static readonly Option<string?> Ttl = new("--ttl")
    {
        Description = $"How long an entry stays fresh, on the workload's clock (default {DemoOptions.FormatDuration(DemoOptions.DefaultTtl)}). "
            + "A number above zero and a unit: ms, s, m (or min), h, as in 500ms, 90s, 1.5h; "
            + "or 'off' (or 'none') for no expiry. A bare number, 0 included, is an error.",
        HelpName = "DURATION",
        CustomParser = ParseTtl,
    };

    private static readonly Option<int?> Latency = new("--latency")
    {
        Description = Invariant($"Milliseconds each simulated model call takes (default {DemoOptions.DefaultLatencyMilliseconds})."),
        HelpName = "MS",
        CustomParser = r => WholeNumber(r, minimum: 0),
    };

    private static readonly Option<string?> Workload = new("--workload")
    {
        Description = "A JSONL workload, one chat-completions request per line (default: the bundled one).",
        HelpName = "FILE",
        CustomParser = NonEmpty,
    };

    private static readonly Option<Uri?> Endpoint = new("--endpoint")
    {
        Description = "Call an OpenAI-compatible API instead of the simulated model, e.g. https://api.openai.com/v1",
        HelpName = "URL",
        CustomParser = ParseEndpoint,
    };

    private static readonly Option<string?> Model = new("--model")
    {
        Description = "The model to call at --endpoint, for every request (required with --endpoint).",
        HelpName = "NAME",
        CustomParser = NonEmpty,
    };

    private static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Replay through replicas that share this Redis server as their distributed cache, requests taking turns between them, e.g. 127.0.0.1:6379.",
        HelpName = "HOST:PORT",
        CustomParser = ParseRedis,
    };

    private static readonly Option<int?> Replicas = new("--replicas")
    {
        Description = Invariant($"How many replicas share the Redis of --redis, each with its own connection and backplane (default {DemoOptions.DefaultReplicas})."),
        HelpName = "N",
        CustomParser = r => WholeNumber(r, minimum: 1, maximum: 64),
    };

    private static readonly Option<string?> Snapshot = new("--snapshot")
    {
        Description = "Load the cache from this snapshot file before the replay, when it exists, and save it there after: a second run starts warm.",
        HelpName = "FILE",
        CustomParser = NonEmpty,
    };

    private static readonly Option<string?> SweepWorkload = new("--workload")
    {
        Description = "A JSONL workload to sweep (default: the bundled one).",
        HelpName = "FILE",
        CustomParser = NonEmpty,
    };

    private static readonly Option<string?> SweepOut = new("--out")
    {
        Description = "The folder the chart goes to, as miss-ratio.svg and miss-ratio.png (default: the current folder; created when missing).",
        HelpName = "DIR",
        CustomParser = NonEmpty,
    };

    private static readonly Option<string?> SweepTtl = new("--ttl")
    {
        Description = $"The caches' TTL on the workload's clock, as for a replay (default {DemoOptions.FormatDuration(DemoOptions.DefaultTtl)}; 'off' for none).",
        HelpName = "DURATION",
        CustomParser = ParseTtl,
    };

    private static readonly Command Sweep = new("sweep", "Replays the workload at a range of capacities under each eviction policy, prints the miss ratios and draws them.")
    {
        SweepWorkload, SweepOut, SweepTtl,
    };

    private static readonly Command Root = CreateRoot();

    private static readonly Lazy<string> s_usage = new(WriteUsage);

    private static readonly Lazy<string> s_sweepUsage = new(() =>
    {
        using StringWriter help = new(CultureInfo.InvariantCulture);
        Root.Parse(["sweep", "--help"]).Invoke(new InvocationConfiguration { Output = help });
        return help.ToString().TrimEnd() + Environment.NewLine;
    });

    /// <summary>The help text of the <c>sweep</c> command.</summary>
    public static string SweepUsage => s_sweepUsage.Value;

    /// <summary>The help text: System.CommandLine's, then the environment and the exit codes.</summary>
    public static string Usage => s_usage.Value;

    /// <summary>Reads the command line into <see cref="DemoOptions"/>.</summary>
    /// <exception cref="UsageException">The first thing wrong with it, in one line.</exception>
    public static DemoOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        ParseResult result = Root.Parse(args);
        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            throw new UsageException(token.StartsWith('-')
                ? $"unknown option '{token}'."
                : $"unexpected argument '{token}'; the demo takes options only.");
        }

        if (result.Errors.Count > 0)
        {
            throw new UsageException(Describe(result.Errors[0]));
        }

        if (result.CommandResult.Command == Sweep)
        {
            return new DemoOptions
            {
                ShowHelp = result.Action is System.CommandLine.Help.HelpAction,
                Sweep = true,
                WorkloadPath = result.GetValue(SweepWorkload),
                OutDirectory = result.GetValue(SweepOut),
                Ttl = result.GetValue(SweepTtl) is { } sweepTtl ? TtlOf(sweepTtl) : DemoOptions.DefaultTtl,
            };
        }

        var options = new DemoOptions
        {
            ShowHelp = result.Action is System.CommandLine.Help.HelpAction,
            Requests = result.GetValue(Requests),
            // Defaults stay out of the declarations, so that the help shows them in the demo's own spelling.
            Capacity = result.GetValue(Capacity) ?? DemoOptions.DefaultCapacity,
            Ttl = result.GetValue(Ttl) is { } ttl ? TtlOf(ttl) : DemoOptions.DefaultTtl,
            Latency = result.GetValue(Latency) is { } milliseconds ? TimeSpan.FromMilliseconds(milliseconds) : null,
            WorkloadPath = result.GetValue(Workload),
            Endpoint = result.GetValue(Endpoint),
            Model = result.GetValue(Model),
            Redis = result.GetValue(Redis),
            Replicas = result.GetValue(Replicas) ?? DemoOptions.DefaultReplicas,
            SnapshotPath = result.GetValue(Snapshot),
        };

        if (!options.ShowHelp && options.Redis is null && result.GetResult(Replicas) is not null)
        {
            throw new UsageException("--replicas applies to --redis: the replicas share that Redis.");
        }

        return options.ShowHelp ? options : CheckCombinations(options);
    }

    private static DemoOptions CheckCombinations(DemoOptions options)
    {
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

        if (options.SnapshotPath is not null && options.Redis is not null)
        {
            throw new UsageException("--snapshot keeps one process's cache; the replicas of --redis keep theirs in Redis.");
        }

        return options;
    }

    private static Command CreateRoot()
    {
        Command root = new(CommandName, "Replays recorded LLM traffic through a [CachedLlmCall] client and reports what the cache saved.")
        {
            Requests, Capacity, Ttl, Latency, Workload, Endpoint, Model, Redis, Replicas, Snapshot,
        };
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Subcommands.Add(Sweep);

        // The replay is the root's own: with an action, a command line without "sweep" needs no subcommand.
        root.SetAction(static _ => DemoApp.Success);
        Sweep.SetAction(static _ => DemoApp.Success);
        return root;
    }

    private static string WriteUsage()
    {
        using StringWriter help = new(CultureInfo.InvariantCulture);
        Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = help });
        return help.ToString().TrimEnd() + Environment.NewLine + Environment.NewLine + $"""
            Environment:
              {OpenAIChatModel.ApiKeyVariable}  The API key sent to --endpoint; leave unset for a local server that needs none.

            Exit codes: 0 done, 1 the model endpoint failed, 2 bad options or workload, 130 interrupted.

            """.ReplaceLineEndings();
    }

    // System.CommandLine's own errors, in the demo's words; the parsers' errors are already.
    private static string Describe(ParseError error)
    {
        if (error.SymbolResult is OptionResult { Tokens.Count: 0 } option)
        {
            return $"{option.Option.Name} needs a value.";
        }

        return error.Message;
    }

    private static int? WholeNumber(ArgumentResult result, int minimum, int maximum = int.MaxValue)
    {
        if (SingleValue(result) is not { } value)
        {
            return null;
        }

        string name = OptionName(result);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < minimum)
        {
            result.AddError(Invariant($"{name} needs a whole number of at least {minimum}, not '{value}'."));
            return null;
        }

        if (number > maximum)
        {
            result.AddError(Invariant($"{name} can be at most {maximum:N0}, not '{value}'."));
            return null;
        }

        return number;
    }

    private static string? ParseTtl(ArgumentResult result)
    {
        if (SingleValue(result) is not { } value)
        {
            return null;
        }

        // A bare number has no unit, and zero is not a TTL: both are errors rather than a guess ("0" once meant "off").
        if (value is not ("off" or "none") && !DemoOptions.TryParseDuration(value, out _))
        {
            result.AddError($"{OptionName(result)} needs a duration above zero such as 90s, 30m or 2h, or 'off', not '{value}'.");
            return null;
        }

        return value;
    }

    private static TimeSpan? TtlOf(string checkedText) =>
        checkedText is "off" or "none" ? null : DemoOptions.TryParseDuration(checkedText, out TimeSpan ttl) ? ttl : null;

    private static Uri? ParseEndpoint(ArgumentResult result)
    {
        if (SingleValue(result) is not { } value)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            result.AddError($"{OptionName(result)} needs an http or https URL such as https://api.openai.com/v1, not '{value}'.");
            return null;
        }

        return uri;
    }

    private static string? ParseRedis(ArgumentResult result)
    {
        if (SingleValue(result) is not { } value)
        {
            return null;
        }

        int colon = value.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            result.AddError($"{OptionName(result)} needs a HOST:PORT such as 127.0.0.1:6379, not '{value}'.");
            return null;
        }

        return value;
    }

    private static string? NonEmpty(ArgumentResult result)
    {
        if (SingleValue(result) is not { } value)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            result.AddError($"{OptionName(result)} needs a value.");
            return null;
        }

        return value;
    }

    // The option's one value; null when it was not given (System.CommandLine then reports a missing value itself).
    private static string? SingleValue(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
