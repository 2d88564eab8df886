-- IocTwin grain storage for PostgreSQL, used by Microsoft.Orleans.Persistence.AdoNet with the
-- invariant "Npgsql".
--
-- Migration 0001, applied once by IocTwin.Persistence.SchemaInstaller (in one transaction under
-- an advisory lock) and recorded in twin_schema_version: statements are separated by lines that
-- read exactly "-- go"; every statement also ends with ";" so the file runs in psql too.
-- Idempotent (tables and indexes created if missing, OrleansQuery rows upserted), so a database
-- made before versions were recorded takes it unchanged; a changed query text comes as a new
-- migration.
--
-- Contract of the provider (read from the Orleans 10.4.2 assemblies):
--   parameters  GrainIdHash int4, GrainIdN0/GrainIdN1 int8, GrainTypeHash int4,
--               GrainTypeString (the state name), GrainIdExtensionString (string key or key
--               extension, may be NULL), ServiceId, GrainStateVersion int4 or NULL (the ETag),
--               PayloadBinary bytea.
--   read        one row (PayloadBinary, Version) or none; PayloadBinary NULL means "cleared".
--   write/clear one row whose first column is the new version; no row or NULL = ETag conflict
--               (InconsistentStateException).
-- Unquoted identifiers fold to lower case; Npgsql matches Orleans' column names case-insensitively.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);
-- go

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NOT NULL
);
-- go

-- One row per grain state; this index is what makes concurrent first writes of the same
-- grain safe (ON CONFLICT below). The hashes lead so lookups are cheap. The extension
-- (which holds string keys of any length) is indexed by its md5, and COALESCE makes NULL
-- collide with NULL; md5 is never '', so a NULL extension stays apart from an empty one.
CREATE UNIQUE INDEX IF NOT EXISTS OrleansStorage_Key ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
    (COALESCE(md5(GrainIdExtensionString), ''))
);
-- go

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $query$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
-- go

-- One statement, only one branch of which can act: with an ETag the row must still carry that
-- version (a concurrent writer makes the UPDATE re-check and miss); without one the row must
-- not exist yet (the unique index turns a concurrent first write into a no-op). Versions wrap
-- instead of leaving int4, because Orleans parses the ETag as an int.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $query$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary,
        ModifiedOn = now(),
        Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END
    WHERE @GrainStateVersion IS NOT NULL
      AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND Version = @GrainStateVersion
    RETURNING Version
), inserted AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
         ServiceId, PayloadBinary, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
           @ServiceId, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
-- go

-- Clear keeps the row (payload NULL) and bumps the version, so the grain's next write
-- carries on from the returned ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $query$
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = now(),
    Version = CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
-- go

-- Used instead of ClearStorageKey when AdoNetGrainStorageOptions.DeleteStateOnClear is true.
-- Returns a value other than the old ETag on success (Orleans treats "same as ETag" as a conflict).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $query$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING CASE WHEN Version >= 2147483647 THEN 1 ELSE Version + 1 END AS NewGrainStateVersion
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
