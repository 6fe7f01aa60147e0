namespace ZeroAllocCache.Benchmarks.Requests;

/// <summary>The value every contender stores: one shared string, so that memory figures count the caches, not values.</summary>
public static class CannedResponse
{
    /// <summary>The cached answer.</summary>
    public const string Text =
        "1. Open the control panel and check the server load graph for the last 24 hours. 2. Compare it with the "
        + "backup schedule. I will open a ticket for the plan migration. — Ada";
}
