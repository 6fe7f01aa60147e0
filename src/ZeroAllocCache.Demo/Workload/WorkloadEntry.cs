namespace ZeroAllocCache.Demo.Workload;

/// <summary>One recorded request and when it arrived.</summary>
/// <param name="At">When the request arrived, from the start of the recording.</param>
/// <param name="Request">The request.</param>
public sealed record WorkloadEntry(TimeSpan At, ChatRequest Request);
