using System.Text;

namespace Tunicorn.Logging;

/// <summary>
/// Where log lines go: stderr ("-") or a file opened for append. Lines are written whole under a lock, so
/// master and workers appending to one file interleave by line. <see cref="Reopen"/> serves USR1 (log rotation).
/// </summary>
public sealed class LogSink : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _target;
    private TextWriter _writer;

    public LogSink(string target)
    {
        _target = target;
        _writer = Open(target);
    }

    public string Target => _target;

    public void WriteLine(string line)
    {
        lock (_lock)
        {
            try
            {
                _writer.Write(line);
                _writer.Write('\n');
                _writer.Flush();
            }
            catch (IOException)
            {
                // A full disk or a closed stderr must not take a worker down; the line is lost.
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Closes and reopens the file, so that a rotated log is released and a new one created.</summary>
    public void Reopen()
    {
        if (_target == "-")
            return;
        lock (_lock)
        {
            var old = _writer;
            _writer = Open(_target);
            old.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_target != "-")
                _writer.Dispose();
        }
    }

    private static TextWriter Open(string target)
    {
        if (target == "-")
            return new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = false };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(target));
        if (!string.IsNullOrEmpty(dir))
            Directory.CreateDirectory(dir);
        var stream = new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        return new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024);
    }
}
