-- Copies of every view at a log position, so that reading a resource as it was (time travel)
-- replays only the events after the nearest copy instead of the whole log. Derived data: any row
-- may be deleted, rows written by another projection version are ignored, and every answer can
-- be had without them by replaying from position 0.
--
-- A keyframe (base IS NULL) holds every view; a delta holds what changed since its base snapshot
-- (views put, ids deleted); `depth` is its place after its keyframe (a merged delta, on an older
-- snapshot than the one before it, skips some: src/views/view-snapshots.ts). `body` is deflated: a JSON
-- header line naming each view (id, position, length) and the ids deleted, then the views' JSON.
CREATE TABLE view_snapshots (
  projection_version INTEGER NOT NULL,
  position           INTEGER NOT NULL,
  base               INTEGER,
  depth              INTEGER NOT NULL,
  views              INTEGER NOT NULL,
  body               BLOB    NOT NULL,
  created_at         TEXT    NOT NULL,
  PRIMARY KEY (projection_version, position)
);
