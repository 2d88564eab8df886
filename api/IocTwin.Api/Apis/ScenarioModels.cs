using IocTwin.Api.Json;
using IocTwin.Model;

namespace IocTwin.Api.Apis;

/// <summary>The traffic model a scenario request names: <c>"static"</c> (the default) or <c>"dynamic"</c>.</summary>
public static class ScenarioModels
{
    public const TrafficModel Default = TrafficModel.Static;

    public static TrafficModel Read(string? model, Dictionary<string, List<string>> errors)
    {
        switch (model)
        {
            case null: return Default;
            case "static": return TrafficModel.Static;
            case "dynamic": return TrafficModel.Dynamic;
            default:
                errors.AddError("model", "must be \"static\" or \"dynamic\"");
                return Default;
        }
    }
}
