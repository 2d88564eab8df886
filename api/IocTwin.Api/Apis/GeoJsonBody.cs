using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace IocTwin.Api.Apis;

/// <summary>
/// The GeoJSON body of an import, read whole into a pooled buffer and parsed once from it. Bound as a JSON element, a
/// document of tens of thousands of features was scanned once as it arrived, then copied with its index into new arrays
/// on the large object heap at every import. Refusals are as the JSON binding answers them: 415 for a body that is
/// not JSON, 400 naming the body for broken syntax, Kestrel's own status for a body over its limits; an empty body
/// binds to null.
/// </summary>
public sealed class GeoJsonBody : IDisposable
{
    /// <summary>The first buffer when the request gives no length, and the most it may ask for up front.</summary>
    private const int SmallestBuffer = 64 * 1024;
    private const int LargestFirstBuffer = 4 * 1024 * 1024;

    private readonly JsonDocument _document;
    private byte[]? _buffer;

    private GeoJsonBody(JsonDocument document, byte[] buffer)
    {
        _document = document;
        _buffer = buffer;
    }

    public JsonElement Root => _document.RootElement;

    public static async ValueTask<GeoJsonBody?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        // As the JSON binding does: a request that cannot have a body binds to null whatever its media type.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return null;
        }
        if (!request.HasJsonContentType())
        {
            throw new BadHttpRequestException($"Expected a supported JSON media type but got \"{request.ContentType}\".",
                StatusCodes.Status415UnsupportedMediaType);
        }
        var (buffer, length) = await ReadAllAsync(request, context.RequestAborted);
        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        var json = context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        try
        {
            // Parsed from the buffer itself: the document keeps no copy of the text, and its index is pooled too.
            var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions
            {
                AllowTrailingCommas = json.AllowTrailingCommas,
                CommentHandling = json.ReadCommentHandling,
                MaxDepth = json.MaxDepth,
            });
            var body = new GeoJsonBody(document, buffer);
            context.Response.RegisterForDispose(body);
            return body;
        }
        catch (JsonException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new BadHttpRequestException("Failed to read the request body as JSON.", StatusCodes.Status400BadRequest, ex);
        }
    }

    /// <summary>The whole body into one pooled buffer; Kestrel refuses a body over its size limit as it is read.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadAllAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var first = (int)Math.Clamp(request.ContentLength ?? SmallestBuffer, SmallestBuffer, LargestFirstBuffer);
        var buffer = ArrayPool<byte>.Shared.Rent(first);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > Array.MaxLength / 2)
                    {
                        throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        _document.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
