-- IocTwin reading history for SQLite: every acknowledged reading, written before the API acknowledges it.
-- Times are Unix milliseconds (UTC); values are a JSON object of named numbers. A batch is (writer, received):
-- the writing process and its commit time.
-- Statements are separated by lines that read exactly "-- go". Idempotent.

CREATE TABLE IF NOT EXISTS twin_reading
(
    sensor_id   TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    writer      INTEGER NOT NULL,
    received    INTEGER NOT NULL,
    payload     TEXT    NOT NULL
);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_reading_sensor_ts ON twin_reading (sensor_id, ts);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_reading_ts ON twin_reading (ts);
-- go

-- Every change of a segment's traffic and of a district's KPIs, written in batches off the hot path.
CREATE TABLE IF NOT EXISTS twin_kpi
(
    entity_id   TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    value       REAL NOT NULL
);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_kpi_entity_ts ON twin_kpi (entity_id, ts);
-- go
