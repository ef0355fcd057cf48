using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>The APP the registry tests serve: TestService, named explicitly (TestApp.dll holds more than one handler).</summary>
internal static class TestServiceApp
{
    public static string Spec => $"{RepoPaths.TestAppDll}:Tunicorn.TestApp.TestServiceHandler";
}
