namespace IocTwin.Grains;

public static class CityGrainKey
{
    public const string Id = "city";
}
