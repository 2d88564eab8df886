using System.Security.Cryptography;

namespace IocTwin.Tests.Infrastructure;

/// <summary>Keys made for one test run: a key written in the repository is published and refused outside Development.</summary>
public static class TestSecrets
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(36));
}
