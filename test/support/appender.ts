/**
 * A separate process that appends to a store, for tests that need real concurrency or a real
 * kill -9. Usage: node dist/test/support/appender.js FILE STREAM COUNT LABEL
 * Appends COUNT events to STREAM, one append each, re-reading the stream version and retrying
 * on a conflict, and prints "ack <position>" after each append has returned.
 */
import { openDatabase } from '../../src/eventstore/database.js';
import { migrate } from '../../src/eventstore/migrations.js';
import { EventStore } from '../../src/eventstore/event-store.js';
import { WrongExpectedVersionError } from '../../src/eventstore/conflict.js';

const [file, streamId, countText, label] = process.argv.slice(2);
if (!file || !streamId || !countText || !label) throw new Error('usage: appender FILE STREAM COUNT LABEL');
const db = openDatabase(file);
migrate(db);
const store = new EventStore(db);
const count = Number(countText);

for (let i = 0; i < count; i += 1) {
  for (;;) {
    try {
      const result = store.append({
        streamId,
        expectedVersion: store.streamVersion(streamId),
        events: [{ type: 'Appended', data: { label, i } }],
      });
      process.stdout.write(`ack ${result.lastPosition}\n`);
      break;
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
    }
  }
}
db.close();
