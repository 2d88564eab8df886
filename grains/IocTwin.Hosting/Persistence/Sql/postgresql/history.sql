-- IocTwin reading history for PostgreSQL: every acknowledged reading, written before the API acknowledges it.
-- Times are Unix milliseconds (UTC); readings are binary (see HistoryCodec). A batch is (writer, received):
-- the writing process and its commit time.
-- Statements are separated by lines that read exactly "-- go". Idempotent.

-- Readings as appended: one row per commit, holding the batches that commit acknowledged (HistoryCodec lays out
-- the blob). Within seconds the process that wrote a row moves it into per-sensor blocks; a row whose writer stopped
-- is moved by the next process that finds it older than a few seconds. Queries read both tables.
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
-- and move, in sensor order, so a busy feed does not touch an index page per reading.
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

-- Every change of a segment's traffic and of a district's KPIs, written in batches off the hot path.
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

-- Repairs applied once to data written by earlier versions, by name.
CREATE TABLE IF NOT EXISTS twin_repair
(
    name        TEXT PRIMARY KEY,
    applied     BIGINT NOT NULL
);
-- go

-- KPIs that overflowed to infinity (or NaN, which PostgreSQL orders above every number) before readings were
-- range-checked: no query may average them again. The condition on twin_repair is a one-time filter.
DELETE FROM twin_kpi
WHERE NOT EXISTS (SELECT 1 FROM twin_repair WHERE name = 'kpi-non-finite')
  AND (value > 1e300 OR value < -1e300);
-- go

INSERT INTO twin_repair (name, applied) VALUES ('kpi-non-finite', (extract(epoch FROM now()) * 1000)::bigint)
ON CONFLICT (name) DO NOTHING;
-- go
