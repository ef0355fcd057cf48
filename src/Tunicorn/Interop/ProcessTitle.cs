using System.Globalization;
using System.Text;

namespace Tunicorn.Interop;

/// <summary>
/// The command line ps shows for this process (/proc/PID/cmdline), rewritten in place as gunicorn's setproctitle does:
/// PLATFORM-NOTES, the argv area lies between fields 48 and 49 (arg_start, arg_end) of /proc/self/stat and can be
/// overwritten, but not grown. The environment that follows it is left alone: the runtime and native libraries still read it.
/// </summary>
internal static class ProcessTitle
{
    /// <summary>Bytes the argv area holds, the terminating NUL included; 0 when it cannot be found.</summary>
    public static int Capacity => TryGetArea(out long start, out long end) ? (int)Math.Min(end - start, int.MaxValue) : 0;

    /// <summary>
    /// The bytes <paramref name="arguments"/> take in the argv area of a process started with them (argv[0] included),
    /// each with its NUL: what a worker's title has room for.
    /// </summary>
    public static int SizeOf(IEnumerable<string> arguments) => arguments.Sum(a => Encoding.UTF8.GetByteCount(a) + 1);

    /// <summary>Bytes a title needs in the argv area (its NUL included).</summary>
    public static int SizeOf(string title) => Encoding.UTF8.GetByteCount(title) + 1;

    /// <summary>
    /// Writes <paramref name="title"/> over the argv area, cut to fit; the rest of the area is cleared. Returns false when
    /// the area cannot be found (no /proc), leaving the command line as it was.
    /// </summary>
    public static unsafe bool TrySet(string title)
    {
        if (!TryGetArea(out long start, out long end) || end - start < 2)
            return false;
        int size = (int)Math.Min(end - start, 1 << 20);
        var area = new Span<byte>((void*)start, size);
        byte[] text = Encoding.UTF8.GetBytes(title);
        int length = CutToFit(text, size - 1);
        text.AsSpan(0, length).CopyTo(area);
        area[length..].Clear();
        // A last byte that is not NUL tells the kernel the area holds one string (setproctitle's convention), so that
        // /proc/PID/cmdline ends at the title's NUL instead of carrying the cleared rest as empty arguments.
        if (length + 1 < size)
            area[size - 1] = (byte)' ';
        return true;
    }

    /// <summary>The longest prefix of <paramref name="text"/> within <paramref name="limit"/> bytes that does not split a UTF-8 character.</summary>
    private static int CutToFit(byte[] text, int limit)
    {
        if (text.Length <= limit)
            return text.Length;
        int length = limit;
        while (length > 0 && (text[length] & 0xC0) == 0x80)
            length--;
        return length;
    }

    private static bool TryGetArea(out long start, out long end)
    {
        start = end = 0;
        string stat;
        try
        {
            // Through a bare handle rather than File.ReadAllText, whose stream and reader a new worker would set up for
            // this one small file (~1 ms of its start).
            using var handle = File.OpenHandle("/proc/self/stat");
            var buffer = new byte[4096];
            int length = 0, read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
                length += read;
            stat = Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // "pid (comm) state ..." where comm may hold spaces and parentheses: fields 3 onwards follow the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return false;
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int FirstField = 3, ArgStart = 48, ArgEnd = 49;
        if (fields.Length <= ArgEnd - FirstField
            || !long.TryParse(fields[ArgStart - FirstField], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            || !long.TryParse(fields[ArgEnd - FirstField], NumberStyles.None, CultureInfo.InvariantCulture, out end))
            return false;
        return start > 0 && end > start;
    }
}
