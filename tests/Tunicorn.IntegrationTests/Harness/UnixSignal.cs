namespace Tunicorn.IntegrationTests.Harness;

/// <summary>Linux signal numbers (x86-64 and arm64 agree on these).</summary>
internal enum UnixSignal
{
    Hup = 1,
    Int = 2,
    Quit = 3,
    Abrt = 6,
    Kill = 9,
    Usr1 = 10,
    Usr2 = 12,
    Term = 15,
    Chld = 17,
    Cont = 18,
    Stop = 19,
    Ttin = 21,
    Ttou = 22,
    Winch = 28,
}
