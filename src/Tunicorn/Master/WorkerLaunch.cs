using Tunicorn.Config;
using Tunicorn.Worker;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>Everything a new worker process is started with.</summary>
/// <param name="Slot">Its slot on the <see cref="ConnectionBoard"/>.</param>
/// <param name="Age">Its number in the order of spawns: the oldest workers are stopped first.</param>
/// <param name="Generation">The reload generation it serves.</param>
internal sealed record WorkerLaunch(Settings Settings, string SerializedSettings, ListenerSet Listeners, ConnectionBoard Board, int Slot, int Age, int Generation);
