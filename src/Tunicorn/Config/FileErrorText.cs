namespace Tunicorn.Config;

/// <summary>
/// What the system refused, as the tail of one log line that already names the setting and the path: .NET's
/// messages name whichever path the failing call used (a parent directory, a temporary file), which misleads
/// when the line is about another one.
/// </summary>
internal static class FileErrorText
{
    public static string Reason(Exception e) => e switch
    {
        // .NET maps EACCES, EPERM and EISDIR to this type; the inner exception carries strerror's text.
        UnauthorizedAccessException { InnerException: IOException inner } => inner.Message.TrimEnd('.').ToLowerInvariant(),
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a directory on the way does not exist",
        FileNotFoundException f when f.FileName is { } missing => $"{missing} does not exist or cannot be created there",
        FileNotFoundException => "a directory on the way does not exist",
        PathTooLongException => "the path is too long",
        _ => e.Message.TrimEnd('.'),
    };
}
