using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IocTwin.Api.Json;

/// <summary>
/// A property left out of the JSON when null (<c>[JsonIgnore(Condition = WhenWritingNull)]</c>, e.g. the city-wide
/// figures of a scenario report trimmed to an OC's scope) is described as optional: the generator would list it as
/// required because it is a constructor parameter.
/// </summary>
public sealed class OmittedNullSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is { Count: > 0 } required)
        {
            foreach (var property in context.JsonTypeInfo.Properties)
            {
                if (property.AttributeProvider is MemberInfo member &&
                    member.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull)
                {
                    required.Remove(property.Name);
                }
            }
        }
        return Task.CompletedTask;
    }
}
