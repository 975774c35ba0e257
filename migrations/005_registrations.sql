-- The events that record what the lab's config says of a system, its storage and its firmware.
-- A start compares the config with the registrations only when one was appended since it last
-- did (src/lab/registration-marker.ts): the newest of them is one look in this index, not a read
-- of every system's state.
CREATE INDEX events_registered ON events (position)
  WHERE type IN ('SystemRegistered', 'StorageRegistered', 'FirmwareRegistered');
