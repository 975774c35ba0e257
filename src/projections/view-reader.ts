/**
 * A Redfish document as stored by the projections: the JSON text a GET returns, and the global
 * event position that last changed it (the ETag is derived from that position).
 */
export interface StoredView {
  readonly odataId: string;
  /** The Redfish JSON document, serialised once when it was projected. */
  readonly body: string;
  readonly position: number;
}

/** What the HTTP layer reads. GETs are answered from here, never from libvirt. */
export interface ViewReader {
  get(odataId: string): StoredView | undefined;
}
