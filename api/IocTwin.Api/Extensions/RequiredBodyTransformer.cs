using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IocTwin.Api.Extensions;

/// <summary>
/// Typed request bodies are declared nullable so that an empty body reaches its handler, which refuses it with a 400
/// naming "body" (see Problems.EmptyBody); the document still says what the contract is: a body is required, and is
/// the request record, not null.
/// </summary>
public sealed class RequiredBodyTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody is not OpenApiRequestBody body || !context.Description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body))
        {
            return Task.CompletedTask;
        }
        body.Required = true;
        foreach (var media in body.Content?.Values ?? [])
        {
            if (media.Schema is OpenApiSchema { OneOf: { Count: 2 } oneOf } && oneOf.SingleOrDefault(s => s.Type != JsonSchemaType.Null) is { } record)
            {
                media.Schema = record;
            }
        }
        return Task.CompletedTask;
    }
}
