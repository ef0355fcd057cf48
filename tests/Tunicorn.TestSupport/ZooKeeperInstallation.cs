namespace Tunicorn.TestSupport;

/// <summary>
/// Where the ZooKeeper server comes from: Debian's `zookeeper` package (3.8), whose zookeeper.jar names all its
/// dependencies in its manifest, and slf4j-simple (a dependency of it) so that each server logs to a file.
/// TUNICORN_ZOOKEEPER_CLASSPATH and JAVA override both.
/// </summary>
public static class ZooKeeperInstallation
{
    private const string DebianJar = "/usr/share/java/zookeeper.jar";
    private const string DebianLogger = "/usr/share/java/slf4j-simple.jar";

    public static string Java => Environment.GetEnvironmentVariable("JAVA") is { Length: > 0 } java ? java
        : File.Exists("/usr/bin/java") ? "/usr/bin/java" : "java";

    public static string ClassPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("TUNICORN_ZOOKEEPER_CLASSPATH") is { Length: > 0 } classPath)
                return classPath;
            if (!File.Exists(DebianJar))
            {
                throw new InvalidOperationException(
                    $"ZooKeeper is not installed ({DebianJar} is missing): install Debian's package with "
                    + "`apt-get install -y zookeeper` (scripts/install-deps.sh), or set TUNICORN_ZOOKEEPER_CLASSPATH");
            }
            return File.Exists(DebianLogger) ? $"{DebianJar}:{DebianLogger}" : DebianJar;
        }
    }
}
