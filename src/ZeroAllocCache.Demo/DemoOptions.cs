using System.Globalization;

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

    /// <summary>The usage text that <c>--help</c> prints, and that follows every command-line error.</summary>
    public static string Usage => DemoCommandLine.Usage;

    /// <summary>The usage text of the <c>sweep</c> command.</summary>
    public static string SweepUsage => DemoCommandLine.SweepUsage;

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

    /// <summary>The Redis server the replicas share, as <c>host:port</c>; <see langword="null"/> for one process without one.</summary>
    public string? Redis { get; init; }

    /// <summary>How many replicas share <see cref="Redis"/>.</summary>
    public int Replicas { get; init; } = DefaultReplicas;

    /// <summary>The replicas that share a Redis when <c>--replicas</c> is not given.</summary>
    public const int DefaultReplicas = 2;

    /// <summary>The snapshot file loaded before the replay and saved after; <see langword="null"/> for none.</summary>
    public string? SnapshotPath { get; init; }

    /// <summary>Whether the <c>sweep</c> command was given: capacities and policies compared, no replay.</summary>
    public bool Sweep { get; init; }

    /// <summary>The folder the sweep's chart goes to; <see langword="null"/> for the current folder.</summary>
    public string? OutDirectory { get; init; }

    /// <summary>Whether <c>--help</c> was given.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Reads the command line.</summary>
    /// <param name="args">The arguments; <c>--name value</c> and <c>--name=value</c> are both accepted.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">An option is unknown, lacks its value or has a bad one.</exception>
    public static DemoOptions Parse(IReadOnlyList<string> args) => DemoCommandLine.Parse(args);

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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
