using System.Linq;

using Microsoft.CodeAnalysis;

using ZeroAllocCache.Generators.Helpers;

namespace ZeroAllocCache.Generators.Model;

/// <summary>A diagnostic as a pipeline value: its descriptor, a location without a syntax tree, and string arguments.</summary>
/// <param name="Descriptor">The descriptor, one of <see cref="DiagnosticDescriptors"/>.</param>
/// <param name="Location">Where to report it.</param>
/// <param name="Arguments">The message arguments.</param>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor, LocationInfo.From(location), arguments.ToEquatableArray());

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Cast<object>().ToArray());
}
