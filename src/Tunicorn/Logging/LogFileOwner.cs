namespace Tunicorn.Logging;

/// <summary>
/// The user and group that get the log files the master opens: the workers' (user and group settings), so that a
/// worker that dropped root can still reopen them after log rotation, as gunicorn chowns its log files.
/// Null ids are left as they are.
/// </summary>
internal sealed record LogFileOwner(uint? Uid, uint? Gid);
