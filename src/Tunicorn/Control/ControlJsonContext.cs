using System.Text.Json.Serialization;

namespace Tunicorn.Control;

/// <summary>
/// The control protocol's JSON, generated at build time. Only the master and <c>tunicorn ctl</c> load System.Text.Json;
/// a worker never reaches this type.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlReply))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
