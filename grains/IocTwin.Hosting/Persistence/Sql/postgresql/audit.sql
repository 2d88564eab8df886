-- IocTwin audit log for PostgreSQL: who changed what, and when (Unix milliseconds, UTC). Appended, never changed.
-- Statements are separated by lines that read exactly "-- go". Idempotent.
CREATE TABLE IF NOT EXISTS twin_audit
(
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts      BIGINT NOT NULL,
    actor   TEXT   NOT NULL,
    role    TEXT   NOT NULL,
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    detail  TEXT
);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_audit_ts ON twin_audit (ts);
-- go
