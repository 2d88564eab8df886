using IocTwin.Api.Access;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Infrastructure;

/// <summary>Tokens for twin processes started by a test, signed with the key the test gave them.</summary>
public static class ProcessTokens
{
    public static string Issue(string signingKey, string subject, string role = TwinRoles.Ioc) =>
        new ServiceCollection()
            .Configure<AuthOptions>(o => o.SigningKey = signingKey)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<TokenIssuer>()
            .BuildServiceProvider()
            .GetRequiredService<TokenIssuer>().Issue(subject, role, [], [], TimeSpan.FromHours(1));
}
