namespace Tunicorn.Logging;

/// <summary>The standard stream a log setting of "-" writes to.</summary>
internal enum StandardStream
{
    /// <summary>stderr: the error log, as gunicorn's.</summary>
    Error,

    /// <summary>stdout: the access log, as gunicorn's.</summary>
    Output,
}
