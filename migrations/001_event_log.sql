-- The append-only event log. `position` is the global order (gap-free: rows are never deleted and
-- rolled-back inserts do not consume a rowid); (stream_id, stream_version) gives optimistic
-- concurrency per stream. `subject` is the @odata.id the event is about (the stream's own id or
-- one of its children), so history can be filtered by resource through an index.
CREATE TABLE events (
  position       INTEGER PRIMARY KEY,
  stream_id      TEXT    NOT NULL,
  stream_version INTEGER NOT NULL,
  subject        TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  data           TEXT    NOT NULL,
  meta           TEXT    NOT NULL,
  recorded_at    TEXT    NOT NULL,
  UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_by_subject ON events (subject, position);

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;

-- The Redfish documents GETs read, projected from the log in the same transaction as each append.
CREATE TABLE views (
  odata_id TEXT    PRIMARY KEY,
  body     TEXT    NOT NULL,
  position INTEGER NOT NULL
) WITHOUT ROWID;

-- Small facts about the store itself, e.g. which projection version built the views.
CREATE TABLE store_facts (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
