using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// A small anonymous shared memory region (memfd) that the master creates and its workers map through the
/// inherited descriptor. Mapped for the life of the process; never unmapped.
/// </summary>
internal sealed unsafe class SharedMemory
{
    private SharedMemory(int fd, int length, byte* address)
    {
        Descriptor = fd;
        Length = length;
        Address = address;
    }

    public int Descriptor { get; }
    public int Length { get; }
    public byte* Address { get; }

    /// <summary>
    /// The <paramref name="index"/>-th 32-bit integer of the region, for Volatile and Interlocked access: the only way
    /// into the region outside this file, so that no other type needs unsafe code.
    /// </summary>
    public ref int Int32At(int index)
    {
        if ((uint)index >= (uint)(Length / sizeof(int)))
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the region holds {Length / sizeof(int)} integers");
        return ref ((int*)Address)[index];
    }

    /// <summary>The 64-bit integer at byte <paramref name="offset"/> (a multiple of 8), for Volatile and Interlocked access.</summary>
    public ref long Int64At(int offset)
    {
        if (offset < 0 || offset % sizeof(long) != 0 || offset > Length - sizeof(long))
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"not an aligned 64-bit place in a region of {Length} bytes");
        return ref *(long*)(Address + offset);
    }

    /// <summary><paramref name="length"/> bytes from byte <paramref name="offset"/>.</summary>
    public Span<byte> BytesAt(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"[{offset}, +{length}) is outside a region of {Length} bytes");
        return new Span<byte>(Address + offset, length);
    }

    public static SharedMemory Create(string name, int length)
    {
        int fd = Libc.memfd_create(name, Libc.MFD_CLOEXEC);
        if (fd < 0)
            throw new InteropException("memfd_create", Marshal.GetLastPInvokeError());
        if (Libc.ftruncate(fd, length) != 0)
            throw new InteropException("ftruncate", Marshal.GetLastPInvokeError());
        return Map(fd, length);
    }

    /// <summary>Maps a region whose descriptor this process inherited, and marks it close-on-exec.</summary>
    public static SharedMemory Open(int fd, int length)
    {
        FileDescriptors.SetCloseOnExec(fd, true);
        return Map(fd, length);
    }

    private static SharedMemory Map(int fd, int length)
    {
        nint address = Libc.mmap(0, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if (address == -1)
            throw new InteropException("mmap", Marshal.GetLastPInvokeError());
        return new SharedMemory(fd, length, (byte*)address);
    }
}
