import type { EventStore } from '../eventstore/event-store.js';
import { executeCommand, loadState } from '../eventstore/execute-command.js';
import { mockupDecider } from './mockup-decider.js';
import { MOCKUP_STREAM } from './mockup-events.js';
import { acceptMockupTree, readMockupTree, type MockupProblemPolicy } from './mockup-tree.js';

export interface MockupLabConfig {
  /** The mockup's folder: its top holds the service root's index.json. */
  readonly dir: string;
  readonly problems?: MockupProblemPolicy;
}

/**
 * Makes the store a mockup lab: on its first start the tree is read, checked and recorded, one
 * event per resource; later starts serve what the log holds (the tree as imported, then every
 * change), so the folder may change or go without changing the lab. Returns lines for the
 * operator, the tree's problems among them when they were served anyway.
 */
export function startMockupLab(store: EventStore, config: MockupLabConfig): string[] {
  const known = loadState(store, MOCKUP_STREAM, mockupDecider);
  if (known.state.documents.size > 0)
    return [
      `mockup lab: ${known.state.documents.size} resources, from the log (first imported from a mockup; ${config.dir} is not read again)`,
    ];
  const tree = acceptMockupTree(
    readMockupTree(config.dir, (odataId) => store.views.get(odataId) !== undefined),
    config.problems ?? 'refuse',
  );
  executeCommand(
    store,
    MOCKUP_STREAM,
    mockupDecider,
    { type: 'ImportMockup', resources: tree.resources },
    { actor: 'emulator' },
  );
  return [
    `mockup lab: imported ${tree.resources.length} resources from ${config.dir}`,
    ...tree.problems.map((p) => `mockup lab: served despite a problem: ${p.file}: ${p.problem}`),
  ];
}
