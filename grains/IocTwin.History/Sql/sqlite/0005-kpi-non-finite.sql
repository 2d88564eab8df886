-- IocTwin history repair for SQLite, migration 0005, applied once and recorded in twin_schema_version.
-- KPIs that overflowed to infinity before readings were range-checked: no query may average them again.
-- Nothing writes such values any more; the KPI queries skip them as well.
DELETE FROM twin_kpi WHERE value > 1e300 OR value < -1e300;
-- go

-- Earlier versions marked this repair in a table of their own; the version table records it now.
DROP TABLE IF EXISTS twin_repair;
-- go
