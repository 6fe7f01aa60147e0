using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

using ZeroAllocCache.Generators.Helpers;
using ZeroAllocCache.Generators.Model;

namespace ZeroAllocCache.Generators;

/// <summary>
/// Reads a <c>[CachedLlmCall]</c> method's symbols into a <see cref="CachedMethodModel"/>, or into the diagnostics
/// that explain why it cannot be generated. Nothing it returns holds a symbol, a syntax node or a compilation.
/// </summary>
internal static class Parser
{
    /// <summary>The attribute the pipeline looks for; it lives in the runtime assembly.</summary>
    public const string AttributeMetadataName = "ZeroAllocCache.CachedLlmCallAttribute";

    private const string RuntimeNamespace = "ZeroAllocCache";

    // Types as code in the generated file: global::-qualified, with their nullable annotations.
    private static readonly SymbolDisplayFormat s_codeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    // Types in the key's identity string: namespace-qualified, keywords for special types, no nullable annotations,
    // so that annotating a parameter does not retire the method's entries.
    private static readonly SymbolDisplayFormat s_identityFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    // Types in diagnostic messages: short.
    private static readonly SymbolDisplayFormat s_messageFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The transform of <c>ForAttributeWithMetadataName</c>.</summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        AttributeData attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        return new MethodParser(method, syntax, attribute, attributeSyntax).Parse(cancellationToken);
    }

    /// <summary>
    /// The name of the implementation when the attribute names none: <c>Core</c> inserted before an <c>Async</c>
    /// suffix, else appended.
    /// </summary>
    public static string DefaultImplementationName(string methodName)
    {
        const string AsyncSuffix = "Async";
        return methodName.EndsWith(AsyncSuffix, System.StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - AsyncSuffix.Length) + "Core" + AsyncSuffix
            : methodName + "Core";
    }

    private sealed class MethodParser(
        IMethodSymbol method,
        MethodDeclarationSyntax syntax,
        AttributeData attribute,
        AttributeSyntax? attributeSyntax)
    {
        private readonly ImmutableArray<DiagnosticInfo>.Builder _diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        private readonly INamedTypeSymbol _type = method.ContainingType;

        public ParseResult Parse(CancellationToken cancellationToken)
        {
            // The compiler already reports unknown types; a second error on top would only add noise.
            if (ContainsErrorType(method.ReturnType) || method.Parameters.Any(p => ContainsErrorType(p.Type)))
            {
                return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            CheckDeclaration();
            CheckContainingTypes();
            (ReturnKind Kind, ITypeSymbol Result)? returns = ClassifyReturnType();
            EquatableArray<ParameterModel> parameters = ParseParameters(returns?.Kind);
            cancellationToken.ThrowIfCancellationRequested();

            (string Name, bool IsStatic)? cache = returns is { } r ? ResolveCache(r.Result) : null;
            // An implementation can only be matched against a signature the generator accepts.
            bool signatureSupported = !method.IsGenericMethod && method.Parameters.All(p => p.RefKind == RefKind.None);
            (string Name, bool IsStatic)? implementation = signatureSupported ? ResolveImplementation() : null;

            if (_diagnostics.Count > 0 || returns is null || cache is null || implementation is null)
            {
                return new ParseResult(null, _diagnostics.ToImmutable().ToEquatableArray());
            }

            string overloadSuffix = OverloadSuffix();
            var model = new CachedMethodModel(
                HintName: HintName(),
                Namespace: OutermostType().ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                ContainingTypes: ContainingTypes(),
                QualifiedTypeName: _type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                MethodName: Escape(method.Name),
                Modifiers: string.Join(" ", syntax.Modifiers.Select(m => m.Text)),
                Accessibility: AccessibilityKeywords(method.DeclaredAccessibility),
                IsStatic: method.IsStatic,
                ReturnKind: returns.Value.Kind,
                ReturnType: method.ReturnType.ToDisplayString(s_codeFormat),
                ResultType: returns.Value.Result.ToDisplayString(s_codeFormat),
                Parameters: parameters,
                KeyFields: KeyFieldsInHashingOrder(parameters),
                CacheMember: Escape(cache.Value.Name),
                CacheIsStatic: cache.Value.IsStatic,
                Implementation: Escape(implementation.Value.Name),
                ImplementationIsStatic: implementation.Value.IsStatic,
                KeyTypeName: method.Name + "CacheKey" + overloadSuffix,
                InvalidateMethodName: "Invalidate" + method.Name,
                Identity: Identity(),
                KeyVersion: GetNamedArgument("KeyVersion"),
                TypeParameters: ContainingTypeParameters());
            return new ParseResult(model, EquatableArray<DiagnosticInfo>.Empty);
        }

        private void CheckDeclaration()
        {
            if (!method.IsPartialDefinition || method.PartialImplementationPart is not null)
            {
                Report(DiagnosticDescriptors.MethodMustBePartial, syntax.Identifier.GetLocation(), method.Name);
            }

            if (method.IsGenericMethod)
            {
                Location location = syntax.TypeParameterList?.GetLocation() ?? syntax.Identifier.GetLocation();
                Report(DiagnosticDescriptors.MethodMustNotBeGeneric, location, method.Name);
            }
        }

        private void CheckContainingTypes()
        {
            TypeDeclarationSyntax? immediate = null;
            foreach (TypeDeclarationSyntax declaration in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                immediate ??= declaration;
                if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    Report(DiagnosticDescriptors.TypeMustBePartial, declaration.Identifier.GetLocation(), declaration.Identifier.ValueText, method.Name);
                }
            }

            string? kind = _type.TypeKind == TypeKind.Interface ? "an interface" : _type.IsRefLikeType ? "a ref struct" : null;
            if (kind is not null)
            {
                Location location = immediate?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation();
                Report(DiagnosticDescriptors.UnsupportedContainingType, location, _type.Name, kind);
            }
        }

        private (ReturnKind Kind, ITypeSymbol Result)? ClassifyReturnType()
        {
            (ReturnKind Kind, ITypeSymbol Result)? returns = Classify(method);
            if (returns is null)
            {
                Report(
                    DiagnosticDescriptors.UnsupportedReturnType,
                    syntax.ReturnType.GetLocation(),
                    method.Name,
                    method.ReturnType.ToDisplayString(s_messageFormat));
            }

            return returns;

            static (ReturnKind, ITypeSymbol)? Classify(IMethodSymbol method)
            {
                ITypeSymbol type = method.ReturnType;
                if (method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly)
                {
                    return null;
                }

                if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic)
                {
                    ITypeSymbol argument = generic.TypeArguments[0];
                    if (IsType(generic.OriginalDefinition, "System.Threading.Tasks", "ValueTask`1"))
                    {
                        return (ReturnKind.ValueTask, argument);
                    }

                    if (IsType(generic.OriginalDefinition, "System.Threading.Tasks", "Task`1"))
                    {
                        return (ReturnKind.Task, argument);
                    }

                    if (IsType(generic.OriginalDefinition, "System.Collections.Generic", "IAsyncEnumerable`1"))
                    {
                        return null;
                    }
                }

                bool unsupported = type.IsRefLikeType
                    || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer
                    || IsType(type, "System.Threading.Tasks", "Task")
                    || IsType(type, "System.Threading.Tasks", "ValueTask");
                return unsupported ? null : (ReturnKind.Value, type);
            }
        }

        private EquatableArray<ParameterModel> ParseParameters(ReturnKind? returnKind)
        {
            var parameters = new List<ParameterModel>(method.Parameters.Length);
            IParameterSymbol? partition = null;
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                ParameterSyntax parameterSyntax = syntax.ParameterList.Parameters[i];
                string modifier = parameter.IsParams ? "params " : method.IsExtensionMethod && i == 0 ? "this " : string.Empty;

                if (parameter.RefKind != RefKind.None)
                {
                    SyntaxToken[] refModifiers = parameterSyntax.Modifiers
                        .Where(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword) || m.IsKind(SyntaxKind.InKeyword) || m.IsKind(SyntaxKind.ReadOnlyKeyword))
                        .ToArray();
                    Location location = refModifiers.Length > 0
                        ? Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(refModifiers[0].SpanStart, refModifiers[refModifiers.Length - 1].Span.End))
                        : parameterSyntax.GetLocation();
                    Report(
                        DiagnosticDescriptors.ParameterMustBeByValue,
                        location,
                        parameter.Name,
                        method.Name,
                        string.Join(" ", refModifiers.Select(m => m.Text)));
                    continue;
                }

                string type = parameter.Type.ToDisplayString(s_codeFormat);
                ParameterRole role = RoleOf(parameter);
                if (IsPartition(parameter))
                {
                    CheckPartition(parameter, parameterSyntax, role, ref partition);
                }

                if (role != ParameterRole.Key)
                {
                    // Arguments that a miss hands to the implementation travel in a state tuple, which holds no ref struct.
                    if (returnKind is ReturnKind.ValueTask or ReturnKind.Task && (parameter.Type.IsRefLikeType || parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer))
                    {
                        ReportUnsupportedParameter(parameter, parameterSyntax);
                    }

                    if (VariesPerCall(parameter))
                    {
                        ReportVariesPerCallOnNonKey(parameter, parameterSyntax, role);
                    }

                    parameters.Add(new ParameterModel(Escape(parameter.Name), type, modifier, role, KeyWriteKind.None, string.Empty, false, false));
                    continue;
                }

                (KeyWriteKind kind, ITypeSymbol? writeType, bool isNullable) = ClassifyKeyType(parameter.Type);
                if (kind == KeyWriteKind.None)
                {
                    ReportUnsupportedParameter(parameter, parameterSyntax);
                    continue;
                }

                string writeTypeCode = writeType?.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(s_codeFormat) ?? string.Empty;
                parameters.Add(new ParameterModel(Escape(parameter.Name), type, modifier, role, kind, writeTypeCode, isNullable, VariesPerCall(parameter)));
            }

            return parameters.ToEquatableArray();
        }

        // One string parameter, neither left out of the key nor a token, names the partition.
        private void CheckPartition(IParameterSymbol parameter, ParameterSyntax parameterSyntax, ParameterRole role, ref IParameterSymbol? partition)
        {
            Location location = parameter.GetAttributes().First(IsCachePartition).ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? parameterSyntax.GetLocation();
            if (partition is not null)
            {
                Report(DiagnosticDescriptors.SeveralPartitionParameters, location, method.Name, partition.Name, parameter.Name);
            }

            if (parameter.GetAttributes().Any(IsNotCacheKey))
            {
                Report(DiagnosticDescriptors.PartitionParameterNotCacheKey, location, parameter.Name, method.Name);
            }
            else if (role == ParameterRole.CancellationToken || parameter.Type.SpecialType != SpecialType.System_String)
            {
                Report(DiagnosticDescriptors.PartitionParameterNotString, (parameterSyntax.Type ?? (SyntaxNode)parameterSyntax).GetLocation(), parameter.Name, method.Name, parameter.Type.ToDisplayString(s_messageFormat));
            }

            partition ??= parameter;
        }

        private void ReportVariesPerCallOnNonKey(IParameterSymbol parameter, ParameterSyntax parameterSyntax, ParameterRole role)
        {
            SyntaxNode? marker = parameter.GetAttributes().First(IsVariesPerCall).ApplicationSyntaxReference?.GetSyntax();
            string why = role switch
            {
                ParameterRole.CancellationToken => "a CancellationToken",
                ParameterRole.Partition => "marked [CachePartition]",
                _ => "marked [NotCacheKey]",
            };
            Report(DiagnosticDescriptors.VariesPerCallOnNonKeyParameter, (marker ?? parameterSyntax).GetLocation(), parameter.Name, method.Name, why);
        }

        private void ReportUnsupportedParameter(IParameterSymbol parameter, ParameterSyntax parameterSyntax) =>
            Report(
                DiagnosticDescriptors.UnsupportedParameterType,
                (parameterSyntax.Type ?? (SyntaxNode)parameterSyntax).GetLocation(),
                parameter.Name,
                method.Name,
                parameter.Type.ToDisplayString(s_messageFormat));

        private static (KeyWriteKind Kind, ITypeSymbol? WriteType, bool IsNullable) ClassifyKeyType(ITypeSymbol type)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                (KeyWriteKind kind, ITypeSymbol? writeType) = ClassifyNonNullable(nullable.TypeArguments[0]);
                return kind is KeyWriteKind.Value or KeyWriteKind.CharMemory or KeyWriteKind.NativeInt or KeyWriteKind.NativeUInt
                    or KeyWriteKind.Enum or KeyWriteKind.KeySourceValue
                    ? (kind, writeType, true)
                    : (KeyWriteKind.None, null, false);
            }

            (KeyWriteKind plainKind, ITypeSymbol? plainWriteType) = ClassifyNonNullable(type);
            return (plainKind, plainWriteType, false);
        }

        private static (KeyWriteKind Kind, ITypeSymbol? WriteType) ClassifyNonNullable(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_String:
                case SpecialType.System_Boolean:
                case SpecialType.System_Char:
                case SpecialType.System_SByte:
                case SpecialType.System_Byte:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                case SpecialType.System_DateTime:
                    return (KeyWriteKind.Value, null);
                case SpecialType.System_IntPtr:
                    return (KeyWriteKind.NativeInt, null);
                case SpecialType.System_UIntPtr:
                    return (KeyWriteKind.NativeUInt, null);
            }

            if (type.TypeKind == TypeKind.Enum)
            {
                return (KeyWriteKind.Enum, type);
            }

            if (IsType(type, "System", "Guid") || IsType(type, "System", "DateTimeOffset") || IsType(type, "System", "TimeSpan"))
            {
                return (KeyWriteKind.Value, null);
            }

            if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_String })
            {
                return (KeyWriteKind.StringSequence, null);
            }

            if (type is INamedTypeSymbol { IsGenericType: true } generic)
            {
                SpecialType argument = generic.TypeArguments[0].SpecialType;
                if (IsType(generic.OriginalDefinition, "System.Collections.Generic", "IReadOnlyList`1") && argument == SpecialType.System_String)
                {
                    return (KeyWriteKind.StringSequence, null);
                }

                if (IsType(generic.OriginalDefinition, "System", "ReadOnlyMemory`1") && argument == SpecialType.System_Char)
                {
                    return (KeyWriteKind.CharMemory, null);
                }
            }

            if (ImplementsKeySource(type))
            {
                return (type.IsValueType ? KeyWriteKind.KeySourceValue : KeyWriteKind.KeySourceReference, type);
            }

            return (KeyWriteKind.None, null);
        }

        private static bool ImplementsKeySource(ITypeSymbol type) =>
            IsKeySource(type)
            || type.AllInterfaces.Any(IsKeySource)
            || (type is ITypeParameterSymbol typeParameter && typeParameter.ConstraintTypes.Any(ImplementsKeySource));

        private static bool IsKeySource(ITypeSymbol type) => IsType(type, RuntimeNamespace, "ICacheKeySource");

        private (string Name, bool IsStatic)? ResolveCache(ITypeSymbol resultType)
        {
            string? name = GetNamedArgument("Cache");
            Location location = ArgumentLocation("Cache");
            string typeName = _type.ToDisplayString(s_messageFormat);
            string expected = "ExactMatchCache<" + resultType.ToDisplayString(s_messageFormat) + ">";

            if (name is not null)
            {
                ISymbol? member = FindMembers(name).FirstOrDefault(m => MemberType(m) is not null);
                if (member is null)
                {
                    Report(DiagnosticDescriptors.CacheMemberNotFound, location, typeName, $"named '{name}'", method.Name);
                    return null;
                }

                ITypeSymbol memberType = MemberType(member)!;
                if (!IsCacheOf(memberType, resultType, includeNullability: true))
                {
                    Report(DiagnosticDescriptors.CacheMemberWrongType, location, member.Name, memberType.ToDisplayString(s_messageFormat), method.Name, expected);
                    return null;
                }

                if (method.IsStatic && !member.IsStatic)
                {
                    Report(DiagnosticDescriptors.CacheMemberNotStatic, location, method.Name, member.Name);
                    return null;
                }

                return (member.Name, member.IsStatic);
            }

            // By convention: the one member of type ExactMatchCache<TResult> that the method can reach.
            List<ISymbol> candidates = AllMembers()
                .Where(m => MemberType(m) is { } type && IsCacheOf(type, resultType, includeNullability: false) && (m.IsStatic || !method.IsStatic))
                .ToList();
            if (candidates.Count == 0)
            {
                string what = method.IsStatic ? $"of type '{expected}' that is static" : $"of type '{expected}'";
                Report(DiagnosticDescriptors.CacheMemberNotFound, location, typeName, what, method.Name);
                return null;
            }

            if (candidates.Count > 1)
            {
                string names = string.Join(", ", candidates.Select(c => "'" + c.Name + "'"));
                Report(DiagnosticDescriptors.CacheMemberAmbiguous, location, typeName, expected, names, method.Name);
                return null;
            }

            ISymbol only = candidates[0];
            ITypeSymbol onlyType = MemberType(only)!;
            if (!IsCacheOf(onlyType, resultType, includeNullability: true))
            {
                Report(DiagnosticDescriptors.CacheMemberWrongType, location, only.Name, onlyType.ToDisplayString(s_messageFormat), method.Name, expected);
                return null;
            }

            return (only.Name, only.IsStatic);
        }

        private static ITypeSymbol? MemberType(ISymbol member) => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol { IsIndexer: false, GetMethod: not null } property => property.Type,
            _ => null,
        };

        private static bool IsCacheOf(ITypeSymbol type, ITypeSymbol resultType, bool includeNullability) =>
            type is INamedTypeSymbol { IsGenericType: true } named
            && IsType(named.OriginalDefinition, RuntimeNamespace, "ExactMatchCache`1")
            && (includeNullability
                ? named.NullableAnnotation != NullableAnnotation.Annotated && SameType(named.TypeArguments[0], resultType)
                : SymbolEqualityComparer.Default.Equals(named.TypeArguments[0], resultType));

        private (string Name, bool IsStatic)? ResolveImplementation()
        {
            string name = GetNamedArgument("Implementation") ?? DefaultImplementationName(method.Name);
            Location location = ArgumentLocation("Implementation");

            List<IMethodSymbol> candidates = FindMembers(name)
                .OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && !SymbolEqualityComparer.Default.Equals(m, method))
                .ToList();
            if (candidates.Count == 0)
            {
                Report(DiagnosticDescriptors.ImplementationNotFound, location, _type.ToDisplayString(s_messageFormat), name, method.Name);
                return null;
            }

            IMethodSymbol? match = candidates.FirstOrDefault(HasSameSignature);
            if (match is null)
            {
                Report(DiagnosticDescriptors.ImplementationSignatureMismatch, location, name, method.Name, ExpectedSignature(name));
                return null;
            }

            return (match.Name, match.IsStatic);
        }

        private bool HasSameSignature(IMethodSymbol candidate)
        {
            if (candidate.IsGenericMethod
                || (method.IsStatic && !candidate.IsStatic)
                || candidate.ReturnsByRef
                || candidate.ReturnsByRefReadonly
                || candidate.Parameters.Length != method.Parameters.Length
                || !SameType(candidate.ReturnType, method.ReturnType))
            {
                return false;
            }

            for (int i = 0; i < candidate.Parameters.Length; i++)
            {
                if (candidate.Parameters[i].RefKind != RefKind.None || !SameType(candidate.Parameters[i].Type, method.Parameters[i].Type))
                {
                    return false;
                }
            }

            return true;
        }

        private string ExpectedSignature(string name)
        {
            string parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(s_messageFormat)));
            string prefix = method.IsStatic ? "static " : string.Empty;
            return $"{prefix}{method.ReturnType.ToDisplayString(s_messageFormat)} {name}({parameters})";
        }

        // Members by name in the type and its bases; a base's private members are out of reach.
        private IEnumerable<ISymbol> FindMembers(string name)
        {
            for (INamedTypeSymbol? type = _type; type is not null; type = type.BaseType)
            {
                foreach (ISymbol member in type.GetMembers(name))
                {
                    if (!member.IsImplicitlyDeclared && (ReferenceEquals(type, _type) || member.DeclaredAccessibility != Accessibility.Private))
                    {
                        yield return member;
                    }
                }
            }
        }

        private IEnumerable<ISymbol> AllMembers()
        {
            for (INamedTypeSymbol? type = _type; type is not null; type = type.BaseType)
            {
                foreach (ISymbol member in type.GetMembers())
                {
                    if (!member.IsImplicitlyDeclared && (ReferenceEquals(type, _type) || member.DeclaredAccessibility != Accessibility.Private))
                    {
                        yield return member;
                    }
                }
            }
        }

        private string? GetNamedArgument(string name)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    return argument.Value.Value as string;
                }
            }

            return null;
        }

        // The argument's value when the attribute sets it, else the attribute itself.
        private Location ArgumentLocation(string name)
        {
            if (attributeSyntax?.ArgumentList is { } arguments)
            {
                foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    {
                        return argument.Expression.GetLocation();
                    }
                }
            }

            return attributeSyntax?.GetLocation() ?? syntax.Identifier.GetLocation();
        }

        private INamedTypeSymbol OutermostType()
        {
            INamedTypeSymbol type = _type;
            while (type.ContainingType is not null)
            {
                type = type.ContainingType;
            }

            return type;
        }

        private EquatableArray<ContainingTypeModel> ContainingTypes()
        {
            var types = new List<ContainingTypeModel>();
            for (INamedTypeSymbol? type = _type; type is not null; type = type.ContainingType)
            {
                string keyword = type.IsRecord
                    ? type.TypeKind == TypeKind.Struct ? "record struct" : "record"
                    : type.TypeKind == TypeKind.Struct ? "struct" : "class";
                string name = Escape(type.Name);
                if (type.TypeParameters.Length > 0)
                {
                    name += "<" + string.Join(", ", type.TypeParameters.Select(t => Escape(t.Name))) + ">";
                }

                types.Insert(0, new ContainingTypeModel(keyword, name));
            }

            return types.ToEquatableArray();
        }

        // Overloads share a name; each gets its own key struct and file, numbered in declaration order.
        private string OverloadSuffix()
        {
            List<IMethodSymbol> overloads = _type.GetMembers(method.Name).OfType<IMethodSymbol>().ToList();
            if (overloads.Count < 2)
            {
                return string.Empty;
            }

            int index = overloads.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method));
            return (index + 1).ToString(CultureInfo.InvariantCulture);
        }

        // A readable name, then a hash of the method's documentation id, which is unique to the method (overloads and
        // arities included) and case-sensitive: sanitising the readable part may merge names, the hash keeps them apart.
        private string HintName()
        {
            var name = new StringBuilder();
            if (OutermostType().ContainingNamespace is { IsGlobalNamespace: false } ns)
            {
                name.Append(ns.ToDisplayString()).Append('.');
            }

            var types = new List<string>();
            for (INamedTypeSymbol? type = _type; type is not null; type = type.ContainingType)
            {
                types.Insert(0, type.MetadataName);
            }

            name.Append(string.Join(".", types)).Append('.').Append(method.Name);
            for (int i = 0; i < name.Length; i++)
            {
                if (!char.IsLetterOrDigit(name[i]) && name[i] is not '.' and not '_')
                {
                    name[i] = '_';
                }
            }

            string id = method.GetDocumentationCommentId() ?? method.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            return name.Append('.').Append(StableHash.Hex16(id)).Append(".g.cs").ToString();
        }

        // Every type parameter of the containing types, outermost first: a nested type sees its outer types' too.
        private EquatableArray<string> ContainingTypeParameters()
        {
            var parameters = new List<string>();
            for (INamedTypeSymbol? type = _type; type is not null; type = type.ContainingType)
            {
                parameters.InsertRange(0, type.TypeParameters.Select(t => Escape(t.Name)));
            }

            return parameters.ToEquatableArray();
        }

        private string Identity()
        {
            IEnumerable<string> keyTypes = method.Parameters
                .Where(p => RoleOf(p) == ParameterRole.Key)
                .Select(p => p.Type.ToDisplayString(s_identityFormat));
            return $"{_type.ToDisplayString(s_identityFormat)}.{method.Name}({string.Join(", ", keyTypes)})";
        }

        private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }

    // The parameters that repeat from call to call come first, then those marked [VariesPerCall]: the runtime keeps the
    // hashing state after a repeated prefix and resumes from it, so a call hashes only what changed. Declaration order
    // within each group; names play no part, so a rename changes no key.
    private static EquatableArray<ParameterModel> KeyFieldsInHashingOrder(EquatableArray<ParameterModel> parameters)
    {
        IEnumerable<ParameterModel> keys = parameters.Where(p => p.Role == ParameterRole.Key);
        return keys.Where(p => !p.VariesPerCall).Concat(keys.Where(p => p.VariesPerCall)).ToEquatableArray();
    }

    private static bool VariesPerCall(IParameterSymbol parameter) => parameter.GetAttributes().Any(IsVariesPerCall);

    private static bool IsVariesPerCall(AttributeData attribute) => IsType(attribute.AttributeClass, RuntimeNamespace, "VariesPerCallAttribute");

    private static ParameterRole RoleOf(IParameterSymbol parameter) =>
        IsType(parameter.Type, "System.Threading", "CancellationToken") ? ParameterRole.CancellationToken
        : parameter.GetAttributes().Any(IsNotCacheKey) ? ParameterRole.NotKey
        : IsPartition(parameter) ? ParameterRole.Partition
        : ParameterRole.Key;

    private static bool IsNotCacheKey(AttributeData attribute) => IsType(attribute.AttributeClass, RuntimeNamespace, "NotCacheKeyAttribute");

    private static bool IsPartition(IParameterSymbol parameter) => parameter.GetAttributes().Any(IsCachePartition);

    private static bool IsCachePartition(AttributeData attribute) => IsType(attribute.AttributeClass, RuntimeNamespace, "CachePartitionAttribute");

    private static string AccessibilityKeywords(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static bool IsType(ITypeSymbol? type, string containingNamespace, string metadataName) =>
        type is { ContainingType: null }
        && type.MetadataName == metadataName
        && type.ContainingNamespace?.ToDisplayString() == containingNamespace;

    // Equal types whose nullable annotations agree wherever both sides have one, so that passing one for the other
    // raises no nullable warning in the generated code. Oblivious annotations agree with anything.
    private static bool SameType(ITypeSymbol left, ITypeSymbol right)
    {
        if (!SymbolEqualityComparer.Default.Equals(left, right))
        {
            return false;
        }

        return AnnotationsAgree(left, right);

        static bool AnnotationsAgree(ITypeSymbol left, ITypeSymbol right)
        {
            if (left.NullableAnnotation != NullableAnnotation.None
                && right.NullableAnnotation != NullableAnnotation.None
                && left.NullableAnnotation != right.NullableAnnotation)
            {
                return false;
            }

            if (left is IArrayTypeSymbol leftArray && right is IArrayTypeSymbol rightArray)
            {
                return AnnotationsAgree(leftArray.ElementType, rightArray.ElementType);
            }

            if (left is INamedTypeSymbol leftNamed && right is INamedTypeSymbol rightNamed)
            {
                for (int i = 0; i < leftNamed.TypeArguments.Length; i++)
                {
                    if (!AnnotationsAgree(leftNamed.TypeArguments[i], rightNamed.TypeArguments[i]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };

    private static string Escape(string identifier) =>
        SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
}
