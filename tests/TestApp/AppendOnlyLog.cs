using System.Runtime.InteropServices;
using System.Text;

namespace Tunicorn.TestApp;

/// <summary>
/// Appends whole lines to a file shared by the master and every worker process. Each line is one
/// <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>, so lines from different processes never
/// interleave or overwrite each other; .NET's FileMode.Append only seeks to the end once, which races
/// between processes. The file is opened and closed per line so that nothing is lost when a worker is
/// killed, and the lock keeps threads of one process from interleaving.
/// </summary>
internal static partial class AppendOnlyLog
{
    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloexec = 0x80000;

    private static readonly Lock Gate = new();

    public static void AppendLine(string path, string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (Gate)
        {
            int fd = Open(path, OWronly | OCreat | OAppend | OCloexec, Convert.ToInt32("644", 8));
            if (fd < 0)
                throw new IOException($"open({path}) failed: errno {Marshal.GetLastPInvokeError()}");
            try
            {
                nint written = Write(fd, bytes, bytes.Length);
                if (written != bytes.Length)
                    throw new IOException($"write({path}) wrote {written} of {bytes.Length} bytes: errno {Marshal.GetLastPInvokeError()}");
            }
            finally
            {
                _ = Close(fd);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
