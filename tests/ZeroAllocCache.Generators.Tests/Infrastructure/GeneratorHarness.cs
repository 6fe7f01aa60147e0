using System.Collections.Immutable;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace ZeroAllocCache.Generators.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="CachedLlmCallGenerator"/> in memory over test sources compiled as a consumer's project would be:
/// net10.0 framework, the ZeroAllocCache runtime, implicit usings, nullable enabled, every warning on.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>The implicit usings of an SDK project, plus the runtime's namespace.</summary>
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using ZeroAllocCache;
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>Compiles <paramref name="sources"/> (file <c>Test{i}.cs</c> each) and runs the generator once.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CreateDriver(compilation.SyntaxTrees.First().Options as CSharpParseOptions ?? ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return new GeneratorRun(driver, output);
    }

    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            [new CachedLlmCallGenerator().AsSourceGenerator()],
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static CSharpCompilation CreateCompilation(string[] sources, CSharpParseOptions? parseOptions = null)
    {
        parseOptions ??= ParseOptions;
        IEnumerable<SyntaxTree> trees = sources
            .Select((source, i) => CSharpSyntaxTree.ParseText(SourceText.From(source), parseOptions, path: $"Test{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText(SourceText.From(GlobalUsings), parseOptions, path: "GlobalUsings.cs"));

        return CSharpCompilation.Create(
            "Consumer",
            trees,
            s_references.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999));
    }

    // The framework's implementation assemblies this process runs on, and the runtime assembly under test.
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trustedAssemblies = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return
        [
            .. trustedAssemblies
                .Split(Path.PathSeparator)
                .Where(path => Path.GetDirectoryName(path) == frameworkDirectory)
                .Select(path => MetadataReference.CreateFromFile(path)),
            MetadataReference.CreateFromFile(typeof(CacheKey).Assembly.Location),
        ];
    }
}
