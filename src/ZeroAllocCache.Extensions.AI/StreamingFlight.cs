using System.Threading.Channels;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// One streaming request's bid to be the one that calls the model, passed as the state of
/// <see cref="ExactMatchCache{TValue}.GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>. If the cache runs this flight, its caller reads the
/// updates live from <see cref="Updates"/> while they are also collected into the response that the cache stores;
/// if another caller's flight runs instead, this one is never started and its caller replays the stored response.
/// </summary>
internal sealed class StreamingFlight
{
    private readonly Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> _stream;

    private readonly Channel<ChatResponseUpdate> _updates =
        Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingFlight(Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream)
    {
        _stream = stream;
    }

    /// <summary>Completes when the cache has chosen this flight to call the model.</summary>
    public Task Started => _started.Task;

    /// <summary>The model's updates as they arrive; completes (or fails) with the model's stream.</summary>
    public ChannelReader<ChatResponseUpdate> Updates => _updates.Reader;

    /// <summary>The factory the cache runs: streams from the model and returns the coalesced response to store.</summary>
    public static ValueTask<ChatResponse> RunAsync(StreamingFlight flight, CancellationToken cancellationToken) =>
        flight.RunAsync(cancellationToken);

    private async ValueTask<ChatResponse> RunAsync(CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        try
        {
            List<ChatResponseUpdate> captured = [];
            await foreach (ChatResponseUpdate update in _stream(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                captured.Add(update);
                _updates.Writer.TryWrite(update);
            }

            ChatResponse response = captured.ToChatResponse();
            _updates.Writer.TryComplete();
            return response;
        }
        catch (Exception exception)
        {
            _updates.Writer.TryComplete(exception);
            throw;
        }
    }
}
