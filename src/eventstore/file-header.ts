/** What a file made by `export` or `scenario export` must say on its first line to be read by this build. */
export interface ExpectedHeader {
  /** The file kind, as the error messages name it ('log', 'scenario'). */
  readonly kind: string;
  readonly format: string;
  readonly formatVersion: number;
  /** The newest store schema this build knows: a file from a newer one is refused. */
  readonly knownSchema: number;
  /** The error a refusal throws: the caller's own kind of ExplainedError. */
  readonly refuse: (message: string) => Error;
}

/**
 * The first line of an exported file, checked for what every such file has: its format and
 * format version, and a schema this build knows. The rest of the header is the caller's to check.
 */
export function parseFileHeader<Header>(
  line: string,
  expected: ExpectedHeader,
): Partial<Header> & { schemaVersion: number } {
  let header: { format?: unknown; formatVersion?: unknown; schemaVersion?: unknown };
  try {
    header = JSON.parse(line) as typeof header;
  } catch {
    throw expected.refuse(`the first line is not a ${expected.kind} header (not JSON)`);
  }
  if (header.format !== expected.format) throw expected.refuse(`the first line is not a ${expected.format} header`);
  if (header.formatVersion !== expected.formatVersion) {
    throw expected.refuse(
      `${expected.kind} format version ${String(header.formatVersion)} is not supported (this build reads ${expected.formatVersion})`,
    );
  }
  if (typeof header.schemaVersion !== 'number' || header.schemaVersion > expected.knownSchema) {
    throw expected.refuse(
      `the ${expected.kind} was written with schema version ${String(header.schemaVersion)}, newer than this build's ${expected.knownSchema}; upgrade redfish-emulator`,
    );
  }
  return header as Partial<Header> & { schemaVersion: number };
}
