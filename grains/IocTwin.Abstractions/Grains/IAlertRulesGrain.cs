using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The alert rules of the city, stored durably; the defaults until an operator changes them. Key 0.</summary>
public interface IAlertRulesGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<IReadOnlyList<AlertRule>> Get();

    /// <summary>Adds or replaces the rule; null, changing nothing, when it is new and the city has <paramref name="maxRules"/> already.</summary>
    [Alias("TryPut")]
    Task<IReadOnlyList<AlertRule>?> TryPut(AlertRule rule, int maxRules);

    [Alias("Delete")]
    Task<bool> Delete(string ruleId);
}
