namespace Tunicorn.ZooKeeper.Connection;

/// <summary>A request written to the server and waiting for its answer.</summary>
internal sealed class PendingRequest(OutgoingRequest request, int xid)
{
    private readonly TaskCompletionSource<Reply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OutgoingRequest Request { get; } = request;

    public int Xid { get; } = xid;

    public Task<Reply> Task => _reply.Task;

    /// <summary>Called on the reader; continuations run elsewhere, so the reader is never held up by the caller.</summary>
    public void Complete(Reply reply)
    {
        Request.OnReply?.Invoke(reply.Error);
        _reply.TrySetResult(reply);
    }

    public void Fail(Exception error) => _reply.TrySetException(error);
}
