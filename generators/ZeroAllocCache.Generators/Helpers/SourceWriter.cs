using System.Text;

namespace ZeroAllocCache.Generators.Helpers;

/// <summary>Writes C# line by line with four-space indentation, and no trailing spaces on blank lines.</summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;

    private readonly StringBuilder _builder = new();
    private int _indent;

    public void WriteLine(string line)
    {
        _builder.Append(' ', _indent * IndentSize).Append(line).Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes <c>{</c> and indents what follows.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        _indent++;
    }

    /// <summary>Unindents and writes <paramref name="closing"/>, <c>}</c> by default.</summary>
    public void CloseBlock(string closing = "}")
    {
        _indent--;
        WriteLine(closing);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _builder.ToString();
}
