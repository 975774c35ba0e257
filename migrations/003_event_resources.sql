-- The resources each event is about besides its stream and its subject: a volume, drive or task
-- named in the payload of an event of its storage's stream, a system's virtual media or BIOS.
-- History by resource reads it beside the stream and subject indexes. Derived data: rows are
-- added from the log (src/projections/event-resources.ts) for events after the position kept in
-- store_facts under 'resource_index_through', so logs written before this table existed are
-- indexed on their first history read; 'resource_index_version' names the rules the rows were
-- made by, and other rules make them again.
CREATE TABLE event_resources (
  resource TEXT    NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (resource, position)
) WITHOUT ROWID;
