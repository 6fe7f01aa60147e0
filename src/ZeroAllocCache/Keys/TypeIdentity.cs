using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// The name a type is written into keys under: its assembly's simple name and its full name, with generic arguments
/// written the same way, recursively. No versions, cultures or public key tokens, so that a key survives an upgrade of
/// the assembly, and no two types of one process share a name.
/// </summary>
/// <typeparam name="T">The type.</typeparam>
/// <remarks>Computed once per type; reading it afterwards is a static field load.</remarks>
internal static class TypeIdentity<T>
    where T : allows ref struct
{
    public static readonly string Name = TypeIdentity.Of(typeof(T));
}

/// <summary>Formats <see cref="TypeIdentity{T}.Name"/>.</summary>
internal static class TypeIdentity
{
    /// <summary>For example <c>[System.Private.CoreLib]System.Collections.Generic.List`1&lt;[System.Private.CoreLib]System.Int32&gt;</c>.</summary>
    public static string Of(Type type)
    {
        StringBuilder name = new();
        Append(name, type);
        return name.ToString();
    }

    private static void Append(StringBuilder name, Type type)
    {
        if (type.HasElementType)
        {
            Append(name, type.GetElementType()!);
            name.Append(
                type.IsPointer ? "*"
                : type.IsByRef ? "&"
                : type.IsSZArray ? "[]"
                : "[" + new string(',', type.GetArrayRank() - 1) + "*]");
            return;
        }

        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        name.Append('[').Append(definition.Assembly.GetName().Name).Append(']');
        name.Append(definition.FullName ?? definition.Name);
        if (!type.IsGenericType)
        {
            return;
        }

        name.Append('<');
        Type[] arguments = type.GetGenericArguments();
        for (int i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                name.Append(',');
            }

            Append(name, arguments[i]);
        }

        name.Append('>');
    }
}
