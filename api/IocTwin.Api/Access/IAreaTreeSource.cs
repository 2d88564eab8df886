using IocTwin.Model;

namespace IocTwin.Api.Access;

/// <summary>The city's tree of areas as this process last read it: what access asks when a token names an area above another.</summary>
public interface IAreaTreeSource
{
    AreaTree Areas { get; }
}
