using IocTwin.Api.Json;
using IocTwin.Model;

namespace IocTwin.Api.Apis;

/// <summary>
/// The traffic model a scenario request names: <c>"dynamic"</c> (the default: queues that spill back, at over 1,000×
/// real time on a 10,000-segment city) or <c>"static"</c> (the quasi-static equilibrium of each step). Scenarios stored
/// before a model could be chosen stay static.
/// </summary>
public static class ScenarioModels
{
    public const TrafficModel Default = TrafficModel.Dynamic;

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
