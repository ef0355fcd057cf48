using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.Balancing;

/// <summary>A server as a balancing policy sees it: what the registry says, and how busy this client keeps it.</summary>
public interface IBalancedServer
{
    ServiceInstance Instance { get; }

    /// <summary>Calls (and leases) this client has in flight on the server now.</summary>
    int OutstandingRequests { get; }
}
