namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>Request types (ZooDefs.OpCode), the <c>type</c> field of a request header. Only those this client sends.</summary>
internal enum OpCode
{
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetAcl = 6,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Auth = 100,
    SetWatches = 101,
    CloseSession = -11,
}
