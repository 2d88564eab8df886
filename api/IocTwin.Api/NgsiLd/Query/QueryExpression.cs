using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IocTwin.Api.NgsiLd.Query;

/// <summary>A parsed NGSI-LD q expression, evaluated against one entity.</summary>
public abstract record QueryExpression
{
    public abstract bool Matches(NgsiEntity entity);
}

public sealed record AllOf(IReadOnlyList<QueryExpression> Terms) : QueryExpression
{
    public override bool Matches(NgsiEntity entity) => Terms.All(t => t.Matches(entity));
}

public sealed record AnyOf(IReadOnlyList<QueryExpression> Terms) : QueryExpression
{
    public override bool Matches(NgsiEntity entity) => Terms.Any(t => t.Matches(entity));
}

/// <summary>"attr" (the attribute exists) or "!attr" (it does not).</summary>
public sealed record Exists(AttributePath Path, bool Negated) : QueryExpression
{
    public override bool Matches(NgsiEntity entity) => Path.Resolve(entity).Count > 0 != Negated;
}

public enum QueryOperator
{
    Equal,
    Unequal,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Pattern,
    NotPattern,
}

/// <summary>What a comparison compares with: one value, a list (any of them), a range a..b, or a pattern.</summary>
public abstract record QueryOperand;

public sealed record ValueList(IReadOnlyList<QueryLiteral> Values) : QueryOperand;

public sealed record ValueRange(QueryLiteral From, QueryLiteral To) : QueryOperand;

public sealed record PatternOperand(Regex Pattern) : QueryOperand;

public sealed record Comparison(AttributePath Path, QueryOperator Operator, QueryOperand Operand) : QueryExpression
{
    public override bool Matches(NgsiEntity entity)
    {
        var values = Path.Resolve(entity);
        if (values.Count == 0)
        {
            return false;
        }
        return Operator switch
        {
            QueryOperator.Unequal => !values.Any(Equal),
            QueryOperator.NotPattern => !values.Any(Pattern),
            QueryOperator.Equal => values.Any(Equal),
            QueryOperator.Pattern => values.Any(Pattern),
            _ => values.Any(Ordered),
        };
    }

    private bool Equal(JsonNode? value) => Operand switch
    {
        ValueList list => list.Values.Any(v => v.CompareTo(value) == 0),
        ValueRange range => range.From.CompareTo(value) >= 0 && range.To.CompareTo(value) <= 0,
        _ => false,
    };

    private bool Ordered(JsonNode? value)
    {
        var literal = ((ValueList)Operand).Values[0];
        return literal.CompareTo(value) is { } order && Operator switch
        {
            QueryOperator.Greater => order > 0,
            QueryOperator.GreaterOrEqual => order >= 0,
            QueryOperator.Less => order < 0,
            _ => order <= 0,
        };
    }

    private bool Pattern(JsonNode? value) =>
        value is JsonValue scalar && scalar.TryGetValue<string>(out var text) && ((PatternOperand)Operand).Pattern.IsMatch(text);
}

/// <summary>
/// An attribute path: an attribute (expanded name), optionally a sub-attribute (observedAt, unitCode, ...) after '.',
/// and optionally members of its compound value in brackets ("address[addressLocality]").
/// </summary>
public sealed record AttributePath(string Attribute, IReadOnlyList<string> SubAttributes, IReadOnlyList<string> Members)
{
    /// <summary>The values the path reaches in the entity: none when the attribute (or member) is missing; an array's elements each.</summary>
    public List<JsonNode?> Resolve(NgsiEntity entity)
    {
        var found = new List<JsonNode?>();
        if (!entity.Attributes.TryGetValue(Attribute, out var attribute))
        {
            return found;
        }
        JsonNode? value = attribute.Value;
        foreach (var sub in SubAttributes)
        {
            value = sub switch
            {
                Sdm.ObservedAt => attribute.ObservedAt is { } at ? JsonValue.Create(NgsiLdFormat.Time(at)) : null,
                Sdm.UnitCode => attribute.UnitCode is { } unit ? JsonValue.Create(unit) : null,
                Sdm.ModifiedAt => (attribute.ModifiedAt ?? attribute.ObservedAt) is { } modified ? JsonValue.Create(NgsiLdFormat.Time(modified)) : null,
                // A context entity's sub-attribute: a Property's value, or the member as given.
                _ => attribute.Members?[sub] is JsonObject { } property && property["value"] is { } subValue ? subValue : attribute.Members?[sub],
            };
            if (value is null)
            {
                return found;
            }
        }
        foreach (var member in Members)
        {
            if (value is not JsonObject obj || !obj.TryGetPropertyValue(member, out value))
            {
                return found;
            }
        }
        if (value is JsonArray array)
        {
            found.AddRange(array);
        }
        else
        {
            found.Add(value);
        }
        return found;
    }
}
