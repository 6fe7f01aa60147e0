namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks the marker type that records' init accessors need; the compiler accepts a private copy.
internal static class IsExternalInit
{
}
