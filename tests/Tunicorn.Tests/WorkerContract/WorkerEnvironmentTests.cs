using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.WorkerContract;

public sealed class WorkerEnvironmentTests
{
    [Fact]
    public void WhatTheMasterWrites_TheWorkerReadsBack_AndTheVariablesAreGoneAfterwards()
    {
        var written = new WorkerEnvironment(MasterPid: 4321, Age: 7, ControlFd: 11, ListenerFds: [3, 4, 12], SerializedSettings: "workers=2\nbind=1,127.0.0.1:9090\n",
            BoardFd: 13, BoardSlot: 5, HandOffFd: 14);
        var variables = new Dictionary<string, string?>();
        written.AddTo(variables);
        try
        {
            foreach (var (name, value) in variables)
                Environment.SetEnvironmentVariable(name, value);

            var read = WorkerEnvironment.ReadAndClear();

            Assert.Equal((written.MasterPid, written.Age, written.ControlFd, written.SerializedSettings, written.BoardFd, written.BoardSlot, written.HandOffFd),
                (read.MasterPid, read.Age, read.ControlFd, read.SerializedSettings, read.BoardFd, read.BoardSlot, read.HandOffFd));
            Assert.Equal([3, 4, 12], read.ListenerFds);
            Assert.Null(Environment.GetEnvironmentVariable(WorkerEnvironment.WorkerVariable));
            Assert.Null(Environment.GetEnvironmentVariable(WorkerEnvironment.SettingsVariable));
        }
        finally
        {
            foreach (string name in variables.Keys)
                Environment.SetEnvironmentVariable(name, null);
        }
    }
}
