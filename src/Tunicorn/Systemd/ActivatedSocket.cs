using System.Net.Sockets;

namespace Tunicorn.Systemd;

/// <summary>A listening socket systemd opened and passed to the master (socket activation).</summary>
/// <param name="Descriptor">Its descriptor number: 3 for the first (SD_LISTEN_FDS_START).</param>
/// <param name="FdName">Its name from LISTEN_FDNAMES (the socket unit's FileDescriptorName=; "unknown" when none was given).</param>
internal sealed record ActivatedSocket(int Descriptor, string FdName, Socket Socket);
