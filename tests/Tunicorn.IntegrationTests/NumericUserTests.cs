using System.Globalization;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// A numeric user (<c>-u 4</c>) without a group runs the workers with that uid's primary group from /etc/passwd, as a
/// user given by name does; not with a group of the same number as the uid.
/// </summary>
public sealed class NumericUserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NumericUserWithoutGroup_TheWorkerRunsWithThePrimaryGroupFromPasswd()
    {
        var (uid, primaryGid) = UserWhosePrimaryGidDiffersFromItsUid();
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["-u", uid.ToString(CultureInfo.InvariantCulture)], output);
        int worker = Assert.Single(server.WorkerPids());

        Assert.Equal(uid, IdsOf(worker, "Uid:")[1]);
        Assert.Equal(primaryGid, IdsOf(worker, "Gid:")[1]);
        using var client = await ThriftClients.CalculatorAsync(port);
        await CalculatorChecks.RunAsync(client);
    }

    /// <summary>A non-root user of this machine whose primary gid in /etc/passwd is not its uid (Debian: sync, 4 → 65534).</summary>
    private static (int Uid, int PrimaryGid) UserWhosePrimaryGidDiffersFromItsUid()
    {
        foreach (string[] f in File.ReadAllLines("/etc/passwd").Select(line => line.Split(':')).Where(f => f.Length >= 4))
        {
            int uid = int.Parse(f[2], CultureInfo.InvariantCulture), gid = int.Parse(f[3], CultureInfo.InvariantCulture);
            if (uid != 0 && uid != gid)
                return (uid, gid);
        }
        throw new InvalidOperationException("no user in /etc/passwd has a primary gid other than its uid; the test needs one (Debian's sync is 4:65534)");
    }

    /// <summary>The ids of a Uid: or Gid: line of /proc/PID/status: real, effective, saved, filesystem.</summary>
    private static int[] IdsOf(int pid, string field) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(line => line.StartsWith(field, StringComparison.Ordinal))[field.Length..]
            .Split('\t', StringSplitOptions.RemoveEmptyEntries).Select(id => int.Parse(id, CultureInfo.InvariantCulture)).ToArray();
}
