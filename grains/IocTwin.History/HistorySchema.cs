using IocTwin.Persistence;

namespace IocTwin.History;

/// <summary>The history database's migrations, in order; their scripts are in <c>Sql/</c> beside this store.</summary>
public static class HistorySchema
{
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        SchemaMigration.Script("0003-history", SchemaPart.History, typeof(HistorySchema).Assembly),
        SchemaMigration.Script("0005-kpi-non-finite", SchemaPart.History, typeof(HistorySchema).Assembly),
        new("0006-legacy-readings", SchemaPart.History, LegacyReadingsMigration.ApplyAsync),
    ];
}
