using System.Collections.Immutable;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

using ZeroAllocCache.Generators.Model;

namespace ZeroAllocCache.Generators;

/// <summary>
/// Implements every partial method marked <c>[CachedLlmCall]</c>: identical calls are answered from an
/// <c>ExactMatchCache&lt;TResult&gt;</c> through a typed key struct, with no reflection and no boxing.
/// </summary>
/// <remarks>
/// The pipeline: <c>ForAttributeWithMetadataName</c> finds the methods; <see cref="Parser"/> turns each into a
/// value-equal <see cref="ParseResult"/>; the models go to <see cref="Emitter"/> and the diagnostics to their own
/// output, so that an edit which only moves code re-reports diagnostics without regenerating source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class CachedLlmCallGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.AttributeMetadataName,
                static (node, _) => node is MethodDeclarationSyntax,
                Parser.Parse)
            .WithTrackingName(TrackingNames.ParseResults);

        IncrementalValuesProvider<CachedMethodModel> methods = results
            .SelectMany(static (result, _) => result.Method is { } method ? ImmutableArray.Create(method) : ImmutableArray<CachedMethodModel>.Empty)
            .WithTrackingName(TrackingNames.Methods);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = results
            .SelectMany(static (result, _) => result.Diagnostics.AsImmutableArray())
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(methods, static (output, method) => output.AddSource(method.HintName, Emitter.Emit(method)));
        context.RegisterSourceOutput(diagnostics, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }
}
