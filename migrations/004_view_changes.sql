-- What a copy of the live views as a time-travel snapshot reads, rather than every view: those
-- changed since the snapshot it is a delta of (every put stamps the view with its event's
-- position) and the ids deleted since, which the trigger notes with the position of the append
-- that deleted them. Derived data: rows at or before the newest snapshot are dropped.
CREATE INDEX views_by_position ON views (position);

CREATE TABLE view_deletions (
  odata_id TEXT    NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX view_deletions_by_position ON view_deletions (position);

CREATE TRIGGER views_deleted AFTER DELETE ON views
BEGIN
  INSERT INTO view_deletions (odata_id, position) VALUES (old.odata_id, (SELECT coalesce(max(position), 0) FROM events));
END;
