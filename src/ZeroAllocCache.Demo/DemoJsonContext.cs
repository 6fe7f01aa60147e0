using System.Text.Json.Serialization;

namespace ZeroAllocCache.Demo;

/// <summary>The JSON contract of the answers the replicas share through Redis: source-generated, so Native AOT keeps it.</summary>
[JsonSerializable(typeof(ModelAnswer))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
