using System.Text.Json;
using Tunicorn.Control;

namespace Tunicorn.Tests.Control;

public sealed class ControlReplyFormatTests
{
    private static string Json(ControlReply reply) => JsonSerializer.Serialize(reply, ControlJsonContext.Default.ControlReply);

    [Fact]
    public void Error_IsOkFalseAndTheError_WithNothingElse()
    {
        Assert.Equal("""{"ok":false,"error":"server busy"}""", Json(ControlReply.Failed("server busy")));
    }

    [Fact]
    public void Done_IsOkTrueAndTheMessage()
    {
        Assert.Equal("""{"ok":true,"message":"target is now 3 workers"}""", Json(ControlReply.Done("target is now 3 workers")));
    }

    [Fact]
    public void Workers_HaveSnakeCaseFields_AndRoundTrip()
    {
        var reply = new ControlReply
        {
            Ok = true,
            Workers = [new WorkerStatus
            {
                Pid = 12, Generation = 1, Age = 3, UptimeSeconds = 4.5, Booted = true, CallsServed = 100, CallsInFlight = 2,
                OldestCallMethod = "add", OldestCallSeconds = 1.5, Connections = 7, RssBytes = 1048576,
            }],
        };
        string json = Json(reply);
        Assert.Equal("""{"ok":true,"workers":[{"pid":12,"generation":1,"age":3,"uptime_seconds":4.5,"booted":true,"retiring":false,"calls_served":100,"calls_in_flight":2,"oldest_call_method":"add","oldest_call_seconds":1.5,"connections":7,"rss_bytes":1048576}]}""", json);
        var back = JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlReply)!;
        Assert.Equal(reply.Workers[0], back.Workers![0]);
    }

    [Fact]
    public void WorkersTable_HasAHeaderAndOneAlignedRowAWorker()
    {
        string table = ControlTables.Workers([
            new WorkerStatus { Pid = 12, Generation = 0, Age = 1, UptimeSeconds = 2, Booted = true, CallsServed = 5, CallsInFlight = 1,
                OldestCallMethod = "add", OldestCallSeconds = 1.26, Connections = 1, RssBytes = 3 * 1048576 },
            new WorkerStatus { Pid = 12345, Generation = 1, Age = 10, UptimeSeconds = 0.5, Retiring = true },
        ]);
        Assert.Equal(
            "PID    GEN  AGE  UPTIME  BOOTED    SERVED  IN FLIGHT  OLDEST CALL  CONNS  RSS\n" +
            "12     0    1    2.0s    yes       5       1          add 1.3s     1      3.0 MiB\n" +
            "12345  1    10   0.5s    stopping  0       0          -            0      ?\n", table);
    }

    [Fact]
    public void StatusTable_SaysWhatIsUnset()
    {
        string table = ControlTables.Status(new ServerStatus
        {
            Pid = 7, UptimeSeconds = 61, Generation = 2, ReloadingGeneration = 3, TargetWorkers = 4, Workers = 5,
            Listeners = ["127.0.0.1:9090", "unix:/run/t.sock"],
        });
        Assert.Equal(
            "master pid     7\n" +
            "uptime         61.0s\n" +
            "generation     2 (reloading to 3)\n" +
            "workers        5 (target 4)\n" +
            "listeners      127.0.0.1:9090, unix:/run/t.sock\n" +
            "settings file  none\n" +
            "app            embedded\n", table);
    }

    [Fact]
    public void DefaultSocketPath_NamesTheMasterPid_InTheRuntimeFolder_ElseTheTempFolder()
    {
        Assert.Equal("/run/user/1000/tunicorn.42.ctl", ControlSocketPaths.Default(42, name => name == "XDG_RUNTIME_DIR" ? "/run/user/1000" : null));
        Assert.Equal(Path.Combine(Path.GetTempPath(), "tunicorn.42.ctl"), ControlSocketPaths.Default(42, _ => null));
        Assert.Equal(42, ControlSocketPaths.PidOf("/run/user/1000/tunicorn.42.ctl"));
        Assert.Null(ControlSocketPaths.PidOf("/run/user/1000/other.sock"));
    }
}
