-- IocTwin history repair for SQLite, migration 0005, applied once and recorded in twin_schema_version.
-- KPIs that overflowed to infinity before readings were range-checked: no query may average them again.
-- Nothing writes such values any more; the KPI queries skip them as well.
-- A database upgraded from a version that already did this repair has it marked in twin_repair: the one-time filter
-- below then skips the scan of twin_kpi, which can hold many millions of rows.
CREATE TABLE IF NOT EXISTS twin_repair
(
    name        TEXT PRIMARY KEY,
    applied     INTEGER NOT NULL
);
-- go

DELETE FROM twin_kpi
WHERE NOT EXISTS (SELECT 1 FROM twin_repair WHERE name = 'kpi-non-finite')
  AND (value > 1e300 OR value < -1e300);
-- go

-- Earlier versions marked this repair in a table of their own; the version table records it now.
DROP TABLE IF EXISTS twin_repair;
-- go
