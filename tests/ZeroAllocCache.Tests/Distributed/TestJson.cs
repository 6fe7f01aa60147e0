using System.Text.Json.Serialization;

namespace ZeroAllocCache.Tests.Distributed;

/// <summary>A value type with no default serializer, cached through its JSON contract.</summary>
public sealed record Answer(string Text, int Tokens);

[JsonSerializable(typeof(Answer))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
