using System.Text.Json.Serialization;

namespace ZeroAllocCache.Demo.Workload;

/// <summary>
/// One line of a workload file as written: a chat-completions request body (<c>model</c>, <c>messages</c>,
/// <c>temperature</c>, <c>max_tokens</c>) plus <c>at_ms</c>, when it arrived. Validated into a
/// <see cref="WorkloadEntry"/> by <see cref="WorkloadReader"/>.
/// </summary>
internal sealed class WorkloadLine
{
    [JsonPropertyName("at_ms")]
    public long? AtMilliseconds { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("messages")]
    public List<WorkloadMessage?>? Messages { get; set; }
}

/// <summary>One message of a <see cref="WorkloadLine"/>.</summary>
internal sealed class WorkloadMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("content")]
    public string? Content { get; set; }
}

/// <summary>Reads workload lines without reflection, so that the reader works in a Native AOT build.</summary>
[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(WorkloadLine))]
internal sealed partial class WorkloadJsonContext : JsonSerializerContext;
