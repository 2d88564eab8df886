using System.Reflection;

namespace IocTwin.Tests.Infrastructure;

public static class TestBuild
{
    /// <summary>
    /// The configuration these tests were built in (Debug, Release). A `dotnet run --no-build` of the API must name
    /// it: the API was built alongside the tests in this configuration, and only in it.
    /// </summary>
    public static string Configuration { get; } =
        typeof(TestBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The repository checkout the tests run from (the folder holding IocTwin.sln).</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IocTwin.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("IocTwin.sln not found above the test folder");
    }
}
