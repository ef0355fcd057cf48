using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Tunicorn.Config;

/// <summary>
/// Source-generated Tomlyn metadata for the untyped model that the config file and service_register_conf are read
/// into: reflection-based TOML reading is off in trimmed and NativeAOT apps (Tomlyn's feature switch).
/// </summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext
{
    /// <summary>The table reader whose messages name <paramref name="sourceName"/>, the file as the user gave it.</summary>
    public static TomlTypeInfo<TomlTable> TableReader(string sourceName) =>
        (TomlTypeInfo<TomlTable>)Default.GetTypeInfo(typeof(TomlTable), new TomlSerializerOptions { SourceName = sourceName, TypeInfoResolver = Default })!;
}
