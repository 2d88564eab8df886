using System.Net;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>A twin configured with no tenant refuses any NGSILD-Tenant with NoMultiTenantSupport.</summary>
[Collection(TwinApiCollection.Name)]
public sealed class NgsiLdSingleTenantTests(TwinApiFactory api)
{
    [Fact]
    public async Task A_tenant_header_is_refused_by_a_single_tenant_twin()
    {
        (await api.Http.Ngsi("/entities?type=AdministrativeArea", NgsiLdClient.SdmLink, tenant: "da-nang"))
            .AssertProblem(HttpStatusCode.NotImplemented, "NoMultiTenantSupport");
        var (status, body, _) = await api.Http.Ngsi("/entities?type=AdministrativeArea", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEmpty(body!.AsArray());
    }
}
