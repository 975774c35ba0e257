import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SimulatedHypervisor, type SimulatedHypervisorOptions } from './simulated-hypervisor.js';

/** What a simulated host holds, as kept between starts: its domains (definitions, power) and pools with their volumes. */
export interface SimulatedState {
  readonly domains: readonly {
    readonly name: string;
    readonly uuid: string;
    readonly xml: string;
    readonly running: boolean;
    /** The running machine's definition when it differs from the persistent one. */
    readonly live?: string;
  }[];
  readonly pools: readonly {
    readonly name: string;
    readonly uuid: string;
    readonly xml: string;
    readonly path: string;
    readonly active: boolean;
    readonly volumes: readonly { readonly name: string; readonly capacityBytes: number; readonly xml: string }[];
  }[];
}

/** The state kept in `file`, or none when there is no such file (a first start). */
export function readSimulatedState(file: string): SimulatedState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as SimulatedState;
}

/** Writes the state whole, through a temporary file: a crash leaves the old state or the new, never half. */
export function writeSimulatedState(file: string, state: SimulatedState): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
}

/** How soon after a change the state is written: changes in a burst (a thousand resets) are written once. */
const WRITE_AFTER_MS = 500;
/**
 * And no sooner than this many times the last write took: the state of ten thousand machines is
 * megabytes of JSON, which rewritten every half second of a burst of resets took a tenth of the
 * time its appends had.
 */
const WRITE_COST_FACTOR = 20;

/**
 * A simulated host whose state outlives the process: read from `file` at start, written a
 * moment after each burst of changes and when the host is closed. A machine left running is
 * running after a restart, as a real one behind a restarted BMC is.
 */
export function keptSimulatedHypervisor(
  file: string,
  options: Omit<SimulatedHypervisorOptions, 'state' | 'onChange'>,
): SimulatedHypervisor {
  let timer: NodeJS.Timeout | undefined;
  // A host opened only to be read (a replay's inventory of the live lab) writes nothing over the live one's file.
  let changed = false;
  let lastWriteMs = 0;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    if (changed) {
      const started = performance.now();
      writeSimulatedState(file, host.snapshot());
      lastWriteMs = performance.now() - started;
    }
    changed = false;
  };
  const state = readSimulatedState(file);
  const host: SimulatedHypervisor = new SimulatedHypervisor({
    ...options,
    ...(state && { state }),
    onChange: () => {
      changed = true;
      timer ??= setTimeout(write, Math.max(WRITE_AFTER_MS, lastWriteMs * WRITE_COST_FACTOR));
      timer.unref();
    },
  });
  const close = host.close.bind(host);
  host.close = async () => {
    await close();
    write();
  };
  return host;
}
