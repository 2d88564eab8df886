using IocTwin.Model;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IocTwin.Api.Json;

/// <summary>
/// A reading's values are written by their own converter, which the generator cannot see through: they are described
/// as what they are on the wire, an object of named numbers.
/// </summary>
public sealed class ReadingValuesSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(ReadingValues))
        {
            schema.Type = JsonSchemaType.Object;
            schema.AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "double" };
            schema.Description = "Named numbers, e.g. { \"speed\": 42.5, \"flow\": 1200 }.";
        }
        return Task.CompletedTask;
    }
}
