namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// A copy of a built program's folder in a test's directory, so that a test can break it (as a bad deployment would)
/// without breaking the build output other tests use.
/// </summary>
internal static class DeployedCopy
{
    /// <summary>Copies the folder of <paramref name="program"/> to <paramref name="folderName"/> in <paramref name="dir"/>; returns the copy's path of the program.</summary>
    public static string Of(string program, TestDirectory dir, string folderName)
    {
        string to = Path.Combine(dir.Path, folderName);
        CopyDirectory(Path.GetDirectoryName(program)!, to);
        return Path.Combine(to, Path.GetFileName(program));
    }

    /// <summary>
    /// Puts garbage at <paramref name="path"/>. It is written beside it and renamed over it, as a deployment replaces
    /// files: truncating the file in place would pull the pages from under the running workers' memory-mapped image
    /// (SIGBUS), which tests the kernel, not the server.
    /// </summary>
    public static void ReplaceWithGarbage(string path)
    {
        string temp = path + ".new";
        var garbage = new byte[64 * 1024];
        Random.Shared.NextBytes(garbage);
        File.WriteAllBytes(temp, garbage);
        File.Move(temp, path, overwrite: true);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string sub in Directory.EnumerateDirectories(from))
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
    }
}
