namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>An implementation that waits until the test opens a gate, to hold calls in flight.</summary>
internal sealed partial class GatedBot
{
    private readonly ExactMatchCache<string> _cache = new();
    private int _calls;

    public TaskCompletionSource<string> Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The token the implementation received on its last call.</summary>
    public CancellationToken LastToken { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<string> AskAsync(string prompt, CancellationToken cancellationToken = default);

    private async ValueTask<string> AskCoreAsync(string prompt, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        LastToken = cancellationToken;
        string answer = await Gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return answer + " to " + prompt;
    }
}
