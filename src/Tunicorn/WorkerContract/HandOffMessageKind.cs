namespace Tunicorn.WorkerContract;

/// <summary>What a message on the hand-off channel between a worker and its master says.</summary>
internal enum HandOffMessageKind
{
    /// <summary>Worker to master, with the connection's descriptor: take this connection to a live worker.</summary>
    Offer,
    /// <summary>Master to worker: the offered connection is with another worker now; close your copy.</summary>
    Moved,
    /// <summary>Master to worker: the offered connection stays with you (the reason says why).</summary>
    Kept,
    /// <summary>Master to worker, with a descriptor: serve this connection, already detected, as if you had accepted it.</summary>
    Adopt,
}
