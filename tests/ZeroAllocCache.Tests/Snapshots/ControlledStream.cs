namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>
/// A stream over a <see cref="MemoryStream"/> that does something once a given number of bytes has gone through it:
/// cancels a token, or holds every further read and write until released. For cancellations and races mid-way
/// through a save or a load.
/// </summary>
internal sealed class ControlledStream(MemoryStream inner, long after) : Stream
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _through;

    /// <summary>Cancelled once <c>after</c> bytes have gone through, when set.</summary>
    public CancellationTokenSource? CancelWhenReached { get; init; }

    /// <summary>Whether reads and writes past <c>after</c> bytes wait for <see cref="Release"/>.</summary>
    public bool HoldWhenReached { get; init; }

    /// <summary>Completes when <c>after</c> bytes have gone through.</summary>
    public Task Reached => _reached.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        int max = _through < after ? (int)Math.Min(buffer.Length, after - _through) : buffer.Length; // stop exactly at the mark
        int read = inner.Read(buffer.Span[..max]);
        Through(read);
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await PassAsync(cancellationToken);
        inner.Write(buffer.Span);
        Through(buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        if (_through >= after)
        {
            if (HoldWhenReached)
            {
                await _released.Task.WaitAsync(cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Through(int count)
    {
        _through += count;
        if (_through >= after && _reached.TrySetResult())
        {
            CancelWhenReached?.Cancel();
        }
    }
}
