using Microsoft.CodeAnalysis.Text;

namespace ZeroAllocCache.Generators.Tests.Infrastructure;

/// <summary>Test source with one span marked as <c>[|...|]</c>: where a diagnostic is expected.</summary>
internal static class Markup
{
    private const string Open = "[|";
    private const string Close = "|]";

    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf(Open, StringComparison.Ordinal);
        int end = markup.IndexOf(Close, start + Open.Length, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The test source marks no [|span|].");
        string source = string.Concat(markup.AsSpan(0, start), markup.AsSpan(start + Open.Length, end - start - Open.Length), markup.AsSpan(end + Close.Length));
        return (source, TextSpan.FromBounds(start, end - Open.Length));
    }
}
