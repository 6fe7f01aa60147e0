using System.Threading.Channels;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// One streaming request's bid to be the one that calls the model, passed as the state of
/// <see cref="ExactMatchCache{TValue}.GetOrAddAsync{TState}(CacheKey, TState, Func{TState, CancellationToken, ValueTask{TValue}}, CancellationToken)"/>.
/// If the cache runs this flight, its caller reads the updates live from <see cref="Updates"/> while they are also
/// collected into the response that the cache stores; if another caller's flight runs instead, this one is never
/// started and its caller replays the stored response.
/// </summary>
/// <remarks>
/// The provider is read at the pace of the caller that started the flight: the channel between them holds one
/// update, so a slow reader never makes the response pile up in memory ahead of it. A caller that stops reading
/// lets go of the flight (<see cref="ReaderLeft"/>); callers that joined it then still get the whole response, read
/// as fast as the provider sends it.
/// </remarks>
internal sealed class StreamingFlight
{
    private readonly Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> _stream;
    private readonly bool _coalesce;

    private readonly Channel<ChatResponseUpdate> _updates = Channel.CreateBounded<ChatResponseUpdate>(
        new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Cancelled when the reader leaves, so that a write waiting for it gives up; made when the flight runs.
    private CancellationTokenSource? _readerGone;
    private volatile bool _readerLeft;

    public StreamingFlight(Func<CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream, bool coalesce)
    {
        _stream = stream;
        _coalesce = coalesce;
    }

    /// <summary>Completes when the cache has chosen this flight to call the model.</summary>
    public Task Started => _started.Task;

    /// <summary>The model's updates as they arrive; completes (or fails) with the model's stream.</summary>
    public ChannelReader<ChatResponseUpdate> Updates => _updates.Reader;

    /// <summary>The factory the cache runs: streams from the model and returns the response to store.</summary>
    public static ValueTask<ChatResponse> RunAsync(StreamingFlight flight, CancellationToken cancellationToken) =>
        flight.RunAsync(cancellationToken);

    /// <summary>The caller reading <see cref="Updates"/> stopped: the flight goes on for whoever joined it, without it.</summary>
    public void ReaderLeft()
    {
        _readerLeft = true;
        try
        {
            Volatile.Read(ref _readerGone)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The flight has just ended: there is no write left to stop.
        }
    }

    private async ValueTask<ChatResponse> RunAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource readerGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _readerGone, readerGone);
        if (_readerLeft)
        {
            readerGone.Cancel();
        }

        _started.TrySetResult();
        try
        {
            List<ChatResponseUpdate> captured = [];
            await foreach (ChatResponseUpdate update in _stream(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                captured.Add(update);
                await HandOverAsync(update, readerGone.Token, cancellationToken).ConfigureAwait(false);
            }

            ChatResponse response = _coalesce ? captured.ToChatResponse() : new UncoalescedChatResponse(captured);
            _updates.Writer.TryComplete();
            return response;
        }
        catch (Exception exception)
        {
            _updates.Writer.TryComplete(exception);
            throw;
        }
        finally
        {
            Volatile.Write(ref _readerGone, null);
        }
    }

    // Waits until the reader has room, unless it has left (the flight then goes on without it).
    private async ValueTask HandOverAsync(ChatResponseUpdate update, CancellationToken readerGone, CancellationToken cancellationToken)
    {
        if (_readerLeft)
        {
            return;
        }

        try
        {
            await _updates.Writer.WriteAsync(update, readerGone).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _readerLeft)
        {
        }
    }
}
