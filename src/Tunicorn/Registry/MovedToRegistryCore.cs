using System.Runtime.CompilerServices;
using Tunicorn.Registry;

// These public types moved to Tunicorn.Registry.Core, where the entry is written and read in one place; a custom
// registry compiled against an older Tunicorn.dll finds them through these forwards.
[assembly: TypeForwardedTo(typeof(ServiceEntry))]
[assembly: TypeForwardedTo(typeof(RegistryEntryFormat))]
