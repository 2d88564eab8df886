-- IocTwin audit log for SQLite: who changed what, and when (Unix milliseconds, UTC). Appended, never changed.
-- Migration 0004, applied once and recorded in twin_schema_version. Statements are separated by lines that read
-- exactly "-- go". Idempotent, so a database made before versions were recorded takes it unchanged.
CREATE TABLE IF NOT EXISTS twin_audit
(
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    ts      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    role    TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    detail  TEXT
);
-- go

CREATE INDEX IF NOT EXISTS ix_twin_audit_ts ON twin_audit (ts);
-- go
