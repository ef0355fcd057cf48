using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tunicorn.Interop;

namespace Tunicorn.Logging;

/// <summary>
/// Where log lines go: stdout or stderr ("-"), or a file that the master and every worker append to. A line is
/// made one line (<see cref="LogLineText"/>) and reaches the file in one write(2) on an O_APPEND descriptor, so lines
/// of several processes never overwrite or split each other. <see cref="Reopen"/> serves USR1 (log rotation).
/// </summary>
internal sealed class LogSink : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly LogFileOwner? _owner;
    private readonly Lock _reopenLock = new();
    private SafeFileHandle _file;

    /// <param name="target">A path, or "-" for <paramref name="standardStream"/>.</param>
    /// <param name="standardStream">What "-" means for this log: stderr (error log) or stdout (access log, as gunicorn).</param>
    /// <param name="owner">Who gets the file each time it is opened (the master gives it to the workers' user), or null.</param>
    /// <exception cref="UnauthorizedAccessException">The file cannot be created or written by this process.</exception>
    /// <exception cref="IOException">The file cannot be opened for another reason.</exception>
    public LogSink(string target, StandardStream standardStream = StandardStream.Error, LogFileOwner? owner = null)
    {
        Target = target;
        _owner = owner;
        _file = target == "-"
            ? new SafeFileHandle(standardStream == StandardStream.Output ? (nint)1 : 2, ownsHandle: false)
            : Open(target, owner);
    }

    /// <summary>The path, or "-".</summary>
    public string Target { get; }

    /// <summary>Writes <paramref name="line"/> and a newline. Control characters in it are escaped; a line the kernel refuses (full disk) is lost.</summary>
    public void WriteLine(string line)
    {
        line = LogLineText.SingleLine(line);
        int max = Utf8.GetMaxByteCount(line.Length) + 1;
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Utf8.GetBytes(line, buffer);
            buffer[length++] = (byte)'\n';
            Write(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Opens the path again, so that a rotated file is let go and a new one created. When the new file cannot be
    /// opened, the exception says why and the sink keeps writing to the file it had open.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">This process may not create or write the new file.</exception>
    /// <exception cref="IOException">The new file cannot be opened for another reason.</exception>
    /// <exception cref="InteropException">The new file cannot be given to the workers' user.</exception>
    public void Reopen()
    {
        if (Target == "-")
            return;
        lock (_reopenLock)
        {
            var next = Open(Target, _owner);
            var old = Interlocked.Exchange(ref _file, next);
            // A writer still inside write(2) on the old descriptor holds a reference: it is closed after that write.
            old.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_reopenLock)
            _file.Dispose();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        // Two tries: a Reopen may close the handle read here before this write took its reference.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var file = Volatile.Read(ref _file);
            bool referenced = false;
            try
            {
                file.DangerousAddRef(ref referenced);
                AppendOnlyFile.Write(file, bytes);
                return;
            }
            catch (ObjectDisposedException)
            {
                // Reopened (or disposed at exit) meanwhile: try the current handle once more.
            }
            finally
            {
                if (referenced)
                    file.DangerousRelease();
            }
        }
    }

    private static SafeFileHandle Open(string path, LogFileOwner? owner)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
            Directory.CreateDirectory(dir);
        var file = AppendOnlyFile.Open(path);
        if (owner is { } o)
        {
            try
            {
                // Only a regular file: "--error-logfile /dev/null" must not give /dev/null away.
                if (AppendOnlyFile.IsRegularFile(file))
                    AppendOnlyFile.ChangeOwner(file, o.Uid, o.Gid);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        return file;
    }
}
