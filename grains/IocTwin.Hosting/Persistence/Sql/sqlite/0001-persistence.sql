-- IocTwin grain storage for SQLite, used by Microsoft.Orleans.Persistence.AdoNet with the
-- invariant "System.Data.SQLite" (Orleans 10 serves that invariant with Microsoft.Data.Sqlite).
--
-- Migration 0001, applied once by IocTwin.Persistence.SchemaInstaller and recorded in
-- twin_schema_version: statements are separated by lines that read exactly "-- go"; every
-- statement also ends with ";" so the file runs in the sqlite3 shell too. Idempotent (tables
-- created if missing, OrleansQuery rows upserted), so a database made before versions were
-- recorded takes it unchanged; a changed query text comes as a new migration.
--
-- Contract of the provider (read from the Orleans 10.4.2 assemblies):
--   parameters  GrainIdHash int32, GrainIdN0/GrainIdN1 int64, GrainTypeHash int32,
--               GrainTypeString (the state name), GrainIdExtensionString (string key or key
--               extension, may be NULL), ServiceId, GrainStateVersion int32 or NULL (the ETag),
--               PayloadBinary blob.
--   read        one row (PayloadBinary, Version) or none; PayloadBinary NULL means "cleared".
--   write/clear one row whose first column is the new version; no row or NULL = ETag conflict
--               (InconsistentStateException).

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
) STRICT;
-- go

-- STRICT so a payload can only ever be stored as a BLOB and the ids as 64-bit integers.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NOT NULL
) STRICT;
-- go

-- One row per grain state. The hashes lead so lookups are cheap; the two extension
-- expressions make NULL collide with NULL (plain NULLs are distinct in a unique index)
-- while keeping a NULL extension apart from an empty one.
CREATE UNIQUE INDEX IF NOT EXISTS OrleansStorage_Key ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
    IFNULL(GrainIdExtensionString, ''), GrainIdExtensionString IS NULL
);
-- go

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
-- go

-- Two statements, only one of which can act: with an ETag the row must still carry that
-- version; without one the row must not exist yet. Each statement is atomic on its own
-- (SQLite takes the write lock before it reads). Versions wrap instead of leaving int32,
-- because Orleans parses the ETag as an int.
--
-- Every query that writes first sets synchronous=NORMAL on its connection (Orleans opens the
-- connections; a pragma in the query is the one place to set it, and it returns no row). In
-- WAL mode that syncs the log at checkpoints instead of at every commit: a write costs tens of
-- microseconds instead of a disk flush, which is what lets write-behind keep up with tens of
-- thousands of live grains. The database cannot be corrupted by a crash; a power loss or OS
-- crash may lose the last commits, as write-behind already may lose the last seconds.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
PRAGMA synchronous = NORMAL;
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END
WHERE @GrainStateVersion IS NOT NULL
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
     ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
       @ServiceId, @PayloadBinary, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
-- go

-- Clear keeps the row (payload NULL) and bumps the version, so the grain's next write
-- carries on from the returned ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
PRAGMA synchronous = NORMAL;
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
-- go

-- Used instead of ClearStorageKey when AdoNetGrainStorageOptions.DeleteStateOnClear is true.
-- Returns a value other than the old ETag on success (Orleans treats "same as ETag" as a conflict).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
PRAGMA synchronous = NORMAL;
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
