using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Assets;

/// <summary>A twin of its own for moving assets: their areas and geofences lie far from the sample city and other tests' areas.</summary>
public sealed class AssetsTwinFactory : TwinApiFactory;

[CollectionDefinition(Name)]
public sealed class AssetsCollection : ICollectionFixture<AssetsTwinFactory>
{
    public const string Name = "assets";
}
