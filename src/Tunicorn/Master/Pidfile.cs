using System.Globalization;
using System.Security.Cryptography;
using Tunicorn.Config;

namespace Tunicorn.Master;

/// <summary>The master's pidfile: refused when another live master holds it, removed on exit only if still ours.</summary>
internal sealed class Pidfile(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>
    /// Writes <paramref name="pid"/> to a new temporary file beside the pidfile, then renames it over the pidfile, so a
    /// reader never sees a half-written pid.
    /// </summary>
    /// <remarks>
    /// The temporary file has an unpredictable name and is created with O_CREAT|O_EXCL (FileMode.CreateNew), which
    /// fails on any existing path, a symbolic link included, instead of following it: with a name made of the pid, a
    /// local user could plant links at the next pids and have a root master overwrite any file. rename(2) replaces a
    /// symbolic link at the pidfile itself rather than following it. No temporary file outlives a failure.
    /// </remarks>
    /// <exception cref="IOException">One line naming the pidfile and the reason.</exception>
    public void Create(int pid)
    {
        if (Directory.Exists(Path))
            throw Failure("is a directory, not a file");
        if (ReadPid() is int other && other != pid && IsAlive(other))
            throw Failure($"names a running process ({other}); is another master running?");

        string folder = System.IO.Path.GetDirectoryName(Path) ?? "/";
        string temp = System.IO.Path.Combine(folder,
            $".{System.IO.Path.GetFileName(Path)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()}.tmp");
        bool created = false;
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            }))
            {
                created = true;
                stream.Write(System.Text.Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture) + "\n"));
            }
            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created)
                TryDelete(temp);
            // Name the pidfile and its folder, never the temporary: .NET's messages name the path of the failing call.
            string reason = e switch
            {
                DirectoryNotFoundException => $"the directory {folder} does not exist",
                FileNotFoundException => $"no file can be created in {folder}",
                _ => FileErrorText.Reason(e).Replace(temp, Path, StringComparison.Ordinal),
            };
            throw Failure("cannot be written: " + reason, e);
        }
    }

    /// <summary>
    /// Moves the pidfile to <paramref name="destination"/> (a binary upgrade: PIDFILE.2 while a new master runs, and back),
    /// or writes it there when this file no longer holds <paramref name="pid"/>. Returns the pidfile at its new place.
    /// </summary>
    /// <exception cref="IOException">The destination names another running process, or cannot be written.</exception>
    public Pidfile MoveTo(string destination, int pid)
    {
        var target = new Pidfile(destination);
        if (target.ReadPid() is int other && other != pid && IsAlive(other))
            throw target.Failure($"names a running process ({other})");
        if (ReadPid() != pid)
        {
            target.Create(pid);
            return target;
        }
        try
        {
            File.Move(Path, target.Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw target.Failure($"cannot be moved from {Path}: {FileErrorText.Reason(e)}", e);
        }
        return target;
    }

    public void Remove(int pid)
    {
        try
        {
            if (ReadPid() == pid)
                File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another master may have taken it over; leaving it is the safe failure.
        }
    }

    /// <summary>The pid the file holds, or null when it is missing or holds no number.</summary>
    private int? ReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path).Trim(), CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure($"cannot be read: {FileErrorText.Reason(e)}", e);
        }
    }

    private IOException Failure(string reason, Exception? inner = null) => new($"pidfile: {Path} {reason}", inner);

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done; the failure that brought us here is the one to report.
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
}
