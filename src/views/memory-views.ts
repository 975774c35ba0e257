import { odataIdOf, type ViewDocument, type ViewWriter } from '../eventstore/projector.js';

interface Entry {
  readonly document: ViewDocument;
  readonly position: number;
}

/**
 * Views held in memory while a whole log is replayed (rebuild, import, time travel), so a
 * million events cost a million in-memory updates and one bulk write, not a million row writes.
 */
export class MemoryViews implements ViewWriter {
  private readonly entries = new Map<string, Entry>();

  get(odataId: string): ViewDocument | undefined {
    return this.entries.get(odataId)?.document;
  }

  serialized(odataId: string): string | undefined {
    const entry = this.entries.get(odataId);
    return entry && JSON.stringify(entry.document);
  }

  exists(odataId: string): boolean {
    return this.entries.has(odataId);
  }

  idsWithPrefix(prefix: string): string[] {
    return [...this.entries.keys()].filter((odataId) => odataId.startsWith(prefix));
  }

  put(document: ViewDocument, position: number): void {
    this.entries.set(odataIdOf(document), { document, position });
  }

  delete(odataId: string): void {
    this.entries.delete(odataId);
  }

  /** Every view as it would be stored: serialised body and last position, in @odata.id order. */
  *rows(): IterableIterator<{ odataId: string; body: string; position: number }> {
    const ids = [...this.entries.keys()].sort();
    for (const odataId of ids) {
      const entry = this.entries.get(odataId)!;
      yield { odataId, body: JSON.stringify(entry.document), position: entry.position };
    }
  }
}
