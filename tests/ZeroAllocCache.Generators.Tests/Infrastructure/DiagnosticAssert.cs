using Microsoft.CodeAnalysis;

namespace ZeroAllocCache.Generators.Tests.Infrastructure;

internal static class DiagnosticAssert
{
    /// <summary>
    /// Runs the generator on <paramref name="markup"/> and asserts that it reports exactly one diagnostic,
    /// <paramref name="id"/>, as an error on the marked span, whose message names each of <paramref name="named"/>.
    /// </summary>
    public static Diagnostic ReportsSingle(string id, string markup, params string[] named)
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);
        GeneratorRun run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Test0.cs", diagnostic.Location.GetLineSpan().Path);
        // The texts first: a mismatch then shows what was marked and what was reported.
        Assert.Equal(source[span.Start..span.End], source[diagnostic.Location.SourceSpan.Start..diagnostic.Location.SourceSpan.End]);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string name in named)
        {
            Assert.Contains(name, message, StringComparison.Ordinal);
        }

        Assert.Empty(run.Sources);
        return diagnostic;
    }

    /// <summary>Asserts that the generator reports nothing for <paramref name="source"/> and that the result compiles cleanly.</summary>
    public static GeneratorRun ReportsNothing(string source) => GeneratorHarness.Run(source).AssertCompilesCleanly();
}
