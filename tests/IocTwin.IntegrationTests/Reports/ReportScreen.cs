using IocTwin.Api.Streaming;
using IocTwin.Tests.Assets;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Reports;

/// <summary>An OC's screen recording the citizen reports it is sent.</summary>
public static class ReportScreen
{
    public static Task<FrameScreen<ReportFrame>> OpenAsync(TwinApiFactory api, string token, string scope) =>
        FrameScreen<ReportFrame>.OpenAsync(api, token, scope, HubMethods.Report, f => f.Scope);
}
