using System.Globalization;

namespace ZeroAllocCache.Demo.Sweep;

/// <summary>
/// The sweep's picture: miss ratio against capacity, a line per policy, each capacity labelled with its entry count and
/// the bytes its answers take; written as SVG and PNG with ScottPlot.
/// </summary>
public static class MissRatioChart
{
    /// <summary>The file names written into the output folder.</summary>
    public const string SvgName = "miss-ratio.svg";

    /// <inheritdoc cref="SvgName"/>
    public const string PngName = "miss-ratio.png";

    private const int Width = 960;
    private const int Height = 560;

    /// <summary>Draws the chart and writes both files.</summary>
    /// <param name="points">The sweep's results.</param>
    /// <param name="meanAnswerBytes">The answers' mean retained size, for the byte labels.</param>
    /// <param name="title">The chart's title.</param>
    /// <param name="folder">Where to write; it exists.</param>
    /// <returns>The two files' paths.</returns>
    public static (string Svg, string Png) Write(IReadOnlyList<SweepPoint> points, double meanAnswerBytes, string title, string folder)
    {
        ArgumentNullException.ThrowIfNull(points);
        ScottPlot.Plot plot = new();
        foreach (IGrouping<CacheEvictionPolicy, SweepPoint> policy in points.GroupBy(p => p.Policy))
        {
            SweepPoint[] line = [.. policy.OrderBy(p => p.Capacity)];
            ScottPlot.Plottables.Scatter scatter = plot.Add.Scatter(line.Select(p => (double)p.Capacity).ToArray(), line.Select(p => p.MissRatio * 100).ToArray());
            scatter.LegendText = policy.Key.ToString();
            scatter.LineWidth = 2;
            scatter.MarkerSize = 6;
        }

        // A labelled tick at each capacity far enough from the last one labelled for the labels not to overlap.
        int[] capacities = [.. points.Select(p => p.Capacity).Distinct().Order()];
        ScottPlot.TickGenerators.NumericManual ticks = new();
        int? labelled = null;
        foreach (int capacity in capacities)
        {
            if (labelled is null || capacity - labelled >= capacities[^1] * 0.07)
            {
                ticks.AddMajor(capacity, string.Create(CultureInfo.InvariantCulture, $"{capacity:N0}\n{Bytes(capacity * meanAnswerBytes)}"));
                labelled = capacity;
            }
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title(title);
        plot.XLabel("capacity (MaxSize entries, and the bytes their answers take)");
        plot.YLabel("miss ratio (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);

        string svg = Path.Combine(folder, SvgName);
        string png = Path.Combine(folder, PngName);
        plot.SaveSvg(svg, Width, Height);
        plot.SavePng(png, Width, Height);
        return (svg, png);
    }

    /// <summary>A byte count the way the labels show it: <c>312 KB</c>, <c>1.4 MB</c>.</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.0} MB"),
    };
}
