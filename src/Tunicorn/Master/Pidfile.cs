using System.Globalization;

namespace Tunicorn.Master;

/// <summary>The master's pidfile: refused when another live master holds it, removed on exit only if still ours.</summary>
public sealed class Pidfile(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public void Create(int pid)
    {
        if (File.Exists(Path) && int.TryParse(File.ReadAllText(Path).Trim(), CultureInfo.InvariantCulture, out int other)
            && other != pid && IsAlive(other))
            throw new IOException($"pidfile {Path} names a running process ({other}); is another master running?");
        string temp = Path + ".tmp" + pid.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temp, Path, overwrite: true);
    }

    public void Remove(int pid)
    {
        try
        {
            if (File.Exists(Path) && File.ReadAllText(Path).Trim() == pid.ToString(CultureInfo.InvariantCulture))
                File.Delete(Path);
        }
        catch (IOException)
        {
            // Another master may have taken it over; leaving it is the safe failure.
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
}
