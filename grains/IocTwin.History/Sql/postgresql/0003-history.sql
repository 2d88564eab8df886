-- IocTwin reading history for PostgreSQL: every acknowledged reading, written before the API acknowledges it.
-- Times are Unix milliseconds (UTC); readings are binary (see HistoryCodec). A batch is (writer, received):
-- the writing process and its commit time.
-- Migration 0003, applied once by SchemaInstaller and recorded in twin_schema_version. Statements are separated by
-- lines that read exactly "-- go". Idempotent, so a database made before versions were recorded takes it unchanged.

-- Readings as appended: one row per commit, holding the batches that commit acknowledged (HistoryCodec lays out
-- the blob). The process that wrote the rows moves them into per-sensor blocks once they hold 1,000,000 readings or
-- the oldest is 5 minutes old (it looks every 15 s); rows whose writer stopped are moved by the next process that
-- finds them older than 6 minutes (BlockMover). Queries read both tables, in one snapshot.
CREATE TABLE IF NOT EXISTS twin_reading_appended
(
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    writer      integer NOT NULL,
    received    bigint  NOT NULL,
    count       integer NOT NULL,
    readings    bytea   NOT NULL
);
-- go

-- One sensor's readings from one move: what the append path writes once per commit is indexed here once per sensor
-- and move, in sensor order, so a busy feed does not touch an index page per reading. Migration 0006 writes here the
-- readings of the earlier one-row-per-reading table.
CREATE TABLE IF NOT EXISTS twin_reading_block
(
    sensor_id       text    NOT NULL,
    first_ts        bigint  NOT NULL,
    last_ts         bigint  NOT NULL,
    last_received   bigint  NOT NULL,
    count           integer NOT NULL,
    readings        bytea   NOT NULL
);
-- go

-- One index for the three ways history is read (a sensor over time, the city as of a time, a sensor's latest
-- commits): it covers them all, so each query reads only the blocks it returns, and a move updates one index.
CREATE INDEX IF NOT EXISTS ix_twin_reading_block_sensor ON twin_reading_block (sensor_id, last_ts, first_ts, last_received);
-- go

-- Segment traffic and district KPIs: the latest value of each KPI per 5 s step, written once per step off the hot path
-- (KpiRecorder).
CREATE TABLE IF NOT EXISTS twin_kpi
(
    entity_id   text NOT NULL,
    ts          bigint NOT NULL,
    name        text NOT NULL,
    value       double precision NOT NULL
);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_kpi_entity_ts ON twin_kpi (entity_id, ts);
-- go
