namespace ZeroAllocCache.Tests;

/// <summary>
/// Tests that keep every core busy for a while run alone, not beside the others: on a 2-core CI machine they would
/// starve the tests that wait for a real Redis within a timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SaturatesTheCpu
{
    public const string Name = "Saturates the CPU";
}
