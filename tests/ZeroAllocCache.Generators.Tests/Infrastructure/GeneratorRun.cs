using System.Collections.Immutable;

using Microsoft.CodeAnalysis;

namespace ZeroAllocCache.Generators.Tests.Infrastructure;

/// <summary>The outcome of one run of the generator: what it wrote, what it reported, and how the result compiles.</summary>
internal sealed class GeneratorRun(GeneratorDriver driver, Compilation outputCompilation)
{
    public GeneratorDriver Driver { get; } = driver;

    public Compilation OutputCompilation { get; } = outputCompilation;

    public GeneratorRunResult Result { get; } = driver.GetRunResult().Results.Single();

    /// <summary>The generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>The one generated file; fails when there is not exactly one.</summary>
    public string SingleSource => Assert.Single(Result.GeneratedSources).SourceText.ToString();

    /// <summary>What the generator reported.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    /// <summary>The warnings and errors of the compilation with the generated files added.</summary>
    public ImmutableArray<Diagnostic> CompilationProblems =>
        [.. OutputCompilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    /// <summary>Asserts that the generator reported nothing and that the generated code compiles without a warning.</summary>
    public GeneratorRun AssertCompilesCleanly()
    {
        Assert.Empty(GeneratorDiagnostics);
        Assert.True(
            CompilationProblems.IsEmpty,
            "The generated code does not compile cleanly:\n" + string.Join("\n", CompilationProblems) + "\n\n" + string.Join("\n\n", Sources.Values));
        return this;
    }
}
