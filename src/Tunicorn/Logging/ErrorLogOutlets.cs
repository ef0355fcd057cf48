using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Interop;

namespace Tunicorn.Logging;

/// <summary>
/// Where the error log goes besides its file, and what else goes into that file: syslog (log_syslog) and the
/// process's own stdout and stderr (capture_output). Built with the error log of each process, master or worker.
/// </summary>
internal sealed partial class ErrorLogOutlets : IDisposable
{
    private readonly string? _captureFile;
    private readonly List<string> _problems = [];

    public ErrorLogOutlets(Settings settings)
    {
        if (settings.CaptureOutput && settings.ErrorLog != "-")
        {
            _captureFile = settings.ErrorLog;
            Capture();
        }
        if (settings.Syslog)
        {
            var address = SyslogAddress.Parse(settings.SyslogAddr);
            Syslog = SyslogSink.Open(address, settings.SyslogFacility, SyslogSink.Tag(settings.SyslogPrefix), out string? problem);
            if (problem is not null)
                _problems.Add(problem);
        }
    }

    /// <summary>The syslog destination, or null when syslog is off or its address cannot work.</summary>
    public SyslogSink? Syslog { get; }

    /// <summary>
    /// Logs what did not work at start, once: a warning from the master, debug lines from workers (which would
    /// otherwise repeat the master's warning once per worker).
    /// </summary>
    public void ReportProblems(ILogger log, bool inWorker)
    {
        foreach (string problem in _problems)
        {
            if (inWorker)
                OutletUnavailableInWorker(log, Environment.ProcessId, problem);
            else
                OutletUnavailable(log, problem);
        }
    }

    /// <summary>USR1: stdout and stderr follow the error log to its reopened file.</summary>
    public void Reopen(ILogger log)
    {
        if (_captureFile is null)
            return;
        int before = _problems.Count;
        Capture();
        // Only what this reopen could not do; the start's problems were reported at start.
        for (int i = before; i < _problems.Count; i++)
            OutletUnavailable(log, _problems[i]);
        _problems.RemoveRange(before, _problems.Count - before);
    }

    public void Dispose() => Syslog?.Dispose();

    private static readonly TimeSpan RetiredWriterGrace = TimeSpan.FromSeconds(1);

    private void Capture()
    {
        try
        {
            Console.Out.Flush();
            Console.Error.Flush();
            StandardStreams.RedirectToFile(_captureFile!);
            // .NET's console streams write to their own dup of descriptors 1 and 2, taken when first used (the master
            // has used them already: settings errors and --help go there). New streams dup the redirected ones.
            var oldOut = Console.Out;
            var oldError = Console.Error;
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true });
            Console.SetError(new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true });
            // Closed, or each USR1 would keep a rotated (maybe deleted) file open for the life of the process; but a
            // second later, so that a handler that fetched the old writer just before the swap still writes through it.
            _ = Task.Delay(RetiredWriterGrace).ContinueWith(_ =>
            {
                oldOut.Dispose();
                oldError.Dispose();
            }, TaskScheduler.Default);
        }
        catch (Exception e) when (e is InteropException or IOException or UnauthorizedAccessException)
        {
            _problems.Add($"capture_output: stdout and stderr stay where they were: {e.Message}");
        }
    }

    [LoggerMessage(EventId = EventIds.Master + 90, Level = LogLevel.Warning, Message = "Error log outlet unavailable: {Problem}")]
    private static partial void OutletUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = EventIds.Worker + 90, Level = LogLevel.Debug, Message = "Worker (pid: {Pid}): error log outlet unavailable: {Problem}")]
    private static partial void OutletUnavailableInWorker(ILogger logger, int pid, string problem);
}
