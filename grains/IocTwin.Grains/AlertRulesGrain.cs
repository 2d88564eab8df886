using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class AlertRulesState
{
    /// <summary>Null until an operator changes a rule: the defaults apply.</summary>
    [Id(0)] public List<AlertRule>? Rules { get; set; }
}

public sealed class AlertRulesGrain(
    [PersistentState("alert-rules", TwinStorage.Name)] IPersistentState<AlertRulesState> state) : Grain, IAlertRulesGrain
{
    public Task<IReadOnlyList<AlertRule>> Get() => Task.FromResult<IReadOnlyList<AlertRule>>(Rules);

    public async Task<IReadOnlyList<AlertRule>?> TryPut(AlertRule rule, int maxRules)
    {
        var rules = Rules;
        if (rules.Count >= maxRules && !rules.Any(r => r.Id == rule.Id))
        {
            return null;
        }
        state.State.Rules = [.. rules.Where(r => r.Id != rule.Id), rule];
        await state.WriteStateAsync();
        return Rules;
    }

    public async Task<bool> Delete(string ruleId)
    {
        var rules = Rules;
        if (!rules.Any(r => r.Id == ruleId))
        {
            return false;
        }
        state.State.Rules = [.. rules.Where(r => r.Id != ruleId)];
        await state.WriteStateAsync();
        return true;
    }

    private List<AlertRule> Rules => state.State.Rules ?? [.. AlertEvaluator.DefaultRules];
}
