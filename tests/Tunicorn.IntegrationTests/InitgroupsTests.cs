using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// initgroups, as gunicorn: with user set, a worker's supplementary groups are that user's groups from /etc/group when
/// initgroups is on, and none at all when it is off (never the groups of root, who started the master).
/// </summary>
public sealed class InitgroupsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WithInitgroups_TheWorkerHasTheUsersSupplementaryGroups()
    {
        var (user, primaryGid, supplementaryGid) = UserWithASupplementaryGroup();
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1, ["-u", user, "--initgroups"], output);
        int worker = Assert.Single(server.WorkerPids());

        var groups = GroupsOf(worker);
        Assert.Contains(supplementaryGid, groups);
        Assert.Contains(primaryGid, groups);
        Assert.Equal(primaryGid, EffectiveGidOf(worker));
        using var client = await ThriftClients.CalculatorAsync(port);
        await CalculatorChecks.RunAsync(client);
    }

    [Fact]
    public async Task WithoutInitgroups_TheWorkerHasNoSupplementaryGroup()
    {
        var (user, primaryGid, _) = UserWithASupplementaryGroup();
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1, ["-u", user], output);
        int worker = Assert.Single(server.WorkerPids());

        Assert.Empty(GroupsOf(worker));
        Assert.Equal(primaryGid, EffectiveGidOf(worker));
    }

    /// <summary>A user of this machine listed as a member of a group other than its primary one in /etc/group (Debian: postgres in ssl-cert).</summary>
    private static (string User, int PrimaryGid, int SupplementaryGid) UserWithASupplementaryGroup()
    {
        var primary = File.ReadAllLines("/etc/passwd").Select(line => line.Split(':')).Where(f => f.Length >= 4)
            .ToDictionary(f => f[0], f => int.Parse(f[3], CultureInfo.InvariantCulture));
        foreach (string[] group in File.ReadAllLines("/etc/group").Select(line => line.Split(':')).Where(f => f.Length >= 4))
        {
            int gid = int.Parse(group[2], CultureInfo.InvariantCulture);
            foreach (string member in group[3].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (member != "root" && primary.TryGetValue(member, out int primaryGid) && primaryGid != gid)
                    return (member, primaryGid, gid);
            }
        }
        throw new InvalidOperationException("no user in /etc/group is a member of a group other than its primary one; the test needs one (Debian's postgres is)");
    }

    /// <summary>The Groups: line of /proc/PID/status: the supplementary groups.</summary>
    private static IReadOnlyList<int> GroupsOf(int pid) =>
        StatusField(pid, "Groups:").Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)
            .Select(g => int.Parse(g, CultureInfo.InvariantCulture)).ToArray();

    private static int EffectiveGidOf(int pid) =>
        int.Parse(StatusField(pid, "Gid:").Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static string StatusField(int pid, string name) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(line => line.StartsWith(name, StringComparison.Ordinal))[name.Length..].Trim();
}
