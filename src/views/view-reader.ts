import type { StoredView } from '../eventstore/projector.js';

/** What the HTTP layer reads. GETs are answered from here, never from libvirt. */
export interface ViewReader {
  get(odataId: string): StoredView | undefined;
}
