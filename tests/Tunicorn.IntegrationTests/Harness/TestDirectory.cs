namespace Tunicorn.IntegrationTests.Harness;

/// <summary>A fresh directory under /tmp for one test (config files, pidfiles, sockets, hook logs), removed on dispose.</summary>
internal sealed class TestDirectory : IDisposable
{
    /// <summary>Short, because a Unix socket path must fit in 108 bytes.</summary>
    private static readonly string Base = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tunicorn-it");

    public TestDirectory(string name)
    {
        Directory.CreateDirectory(Base);
        Path = System.IO.Path.Combine(Base, $"{name}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that outlived its test may still write here; /tmp is cleaned anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
