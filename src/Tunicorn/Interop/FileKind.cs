namespace Tunicorn.Interop;

/// <summary>What a path names, not following a symbolic link: .NET tells files from directories but not a socket from a file.</summary>
internal enum FileKind
{
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,
    Socket,
    Other,
}
