-- The append-only event log. `position` is the global order (gap-free: rows are never deleted and
-- rolled-back inserts do not consume a rowid); (stream_id, stream_version) gives optimistic
-- concurrency per stream. `subject` is the @odata.id the event is about: the stream's own id or
-- one of its children (a Volume in its Storage stream, say).
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

-- History by resource reads the stream index for events about a stream, and this one for events
-- about a child. Most events are about their stream itself, so the index stays small and
-- appends do not pay for a second full index.
CREATE INDEX events_by_child_subject ON events (subject, position) WHERE subject <> stream_id;

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
