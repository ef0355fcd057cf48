using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>A libc call failed: names the call and the errno, so the log says what the kernel refused.</summary>
internal sealed class InteropException(string call, int errno)
    : Exception($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
{
    public string Call { get; } = call;
    public int Errno { get; } = errno;
}
