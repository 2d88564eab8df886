using System.Text;

namespace IocTwin.Topology;

/// <summary>Kebab-case names of an enumeration ("traffic-counter"), read case-insensitively.</summary>
internal static class EnumText<T> where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName = Build();

    public static string Expected { get; } = string.Join(", ", Enum.GetValues<T>().Select(v => ToKebab(v.ToString())));

    public static bool TryParse(string text, out T value) =>
        ByName.TryGetValue(text.Trim().Replace('_', '-'), out value);

    private static Dictionary<string, T> Build()
    {
        var map = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in Enum.GetValues<T>())
        {
            var name = value.ToString();
            map[ToKebab(name)] = value;
            map[name] = value;
        }
        return map;
    }

    private static string ToKebab(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('-');
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
