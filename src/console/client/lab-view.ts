import { ApiError, getJson, send } from './api.js';
import { h, replaceContent, route, say } from './dom.js';
import type { Privileges } from './privileges.js';

type Doc = Record<string, unknown> & { '@odata.id': string };
type Link = { '@odata.id': string };
interface Status {
  State?: string;
  Health?: string | null;
}

const members = async (collection: string): Promise<Doc[]> => {
  const { Members } = await getJson<{ Members: Link[] }>(collection);
  return Promise.all(Members.map((m) => getJson<Doc>(m['@odata.id'])));
};
/** A collection that may not be there (a service without systems, a system without storage): empty then. */
export const membersIfAny = async (collection: string | undefined): Promise<Doc[]> => {
  if (!collection) return [];
  try {
    return await members(collection);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return [];
    throw err;
  }
};

interface SystemCard {
  system: Doc;
  media: Doc[];
  storage: { storage: Doc; drives: Doc[]; volumes: Doc[] }[];
}

/** Everything the lab view shows, read through the Redfish service. */
async function readLab(): Promise<{ systems: SystemCard[]; tasks: Doc[] }> {
  const systems = await membersIfAny('/redfish/v1/Systems');
  const cards = await Promise.all(
    systems.map(async (system): Promise<SystemCard> => {
      const manager = (system['Links'] as { ManagedBy?: Link[] } | undefined)?.ManagedBy?.[0]?.['@odata.id'];
      const [media, storages] = await Promise.all([
        membersIfAny(manager && `${manager}/VirtualMedia`),
        membersIfAny((system['Storage'] as Link | undefined)?.['@odata.id']),
      ]);
      const storage = await Promise.all(
        storages.map(async (s) => ({
          storage: s,
          drives: await Promise.all(
            ((s['Drives'] as Link[] | undefined) ?? []).map((d) => getJson<Doc>(d['@odata.id'])),
          ),
          volumes: await membersIfAny((s['Volumes'] as Link | undefined)?.['@odata.id']),
        })),
      );
      return { system, media, storage };
    }),
  );
  const tasks = (await membersIfAny('/redfish/v1/TaskService/Tasks')).filter((t) =>
    ['New', 'Pending', 'Running', 'Starting', 'Stopping', 'Suspended'].includes(String(t['TaskState'])),
  );
  return { systems: cards, tasks };
}

const statusText = (status: unknown): string => {
  const s = (status ?? {}) as Status;
  return [s.State, s.Health].filter(Boolean).join(' / ');
};
const healthClass = (status: unknown): string =>
  `health-${String(((status ?? {}) as Status).Health ?? 'none').toLowerCase()}`;
const gib = (bytes: unknown) => (typeof bytes === 'number' ? `${+(bytes / 2 ** 30).toFixed(2)} GiB` : '');
const travelLink = (id: string, text: string) => h('a', { href: route('resource', { id }) }, text);
const historyLink = (id: string) =>
  h('a', { href: route('timeline', { resource: id }), class: 'small', 'aria-label': `timeline of ${id}` }, 'timeline');

/** Runs an action, saying what happened; the live stream redraws the lab. */
async function act(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    say(`${what}…`);
    await run();
    say(`${what}: done`);
  } catch (err) {
    say(`${what}: ${err instanceof Error ? err.message : String(err)}`, 'error');
  }
}

function resetControl(system: Doc, can: Privileges): HTMLElement {
  const id = system['@odata.id'];
  const action = (
    system['Actions'] as Record<string, { target: string; 'ResetType@Redfish.AllowableValues'?: string[] }> | undefined
  )?.['#ComputerSystem.Reset'];
  const types = action?.['ResetType@Redfish.AllowableValues'] ?? ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart'];
  const select = h(
    'select',
    { 'aria-label': `reset type for ${system['Id']}`, 'data-key': `${id}#reset-type` },
    ...types.map((t) => h('option', { value: t }, t)),
  );
  const button = h(
    'button',
    {
      type: 'button',
      'data-key': `${id}#reset`,
      disabled: !can.configureComponents,
      title: can.configureComponents ? undefined : 'your role cannot reset systems',
      onclick: () =>
        void act(`Reset ${system['Id']} (${select.value})`, () =>
          send('POST', action?.target ?? `${id}/Actions/ComputerSystem.Reset`, { ResetType: select.value }),
        ),
    },
    'Reset',
  );
  return h('span', { class: 'control' }, select, button);
}

function driveControls(drive: Doc, can: Privileges): HTMLElement {
  const id = drive['@odata.id'];
  const admin = `/emulator/v1${id.slice('/redfish/v1'.length)}`;
  const button = (fault: 'fail' | 'replace', label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        'data-key': `${id}#${fault}`,
        disabled: !can.configureManager,
        title: can.configureManager ? undefined : 'fault injection needs an Administrator',
        onclick: () => void act(`${label} drive ${drive['Id']}`, () => send('POST', `${admin}/${fault}`, {})),
      },
      label,
    );
  return h('span', { class: 'control' }, button('fail', 'Fail'), button('replace', 'Replace'));
}

function renderSystem(card: SystemCard, can: Privileges): HTMLElement {
  const { system } = card;
  const id = system['@odata.id'];
  const boot = (system['Boot'] ?? {}) as Record<string, unknown>;
  const inserted = card.media.filter(
    (m) => m['Inserted'] === true || (typeof m['Image'] === 'string' && m['Image'] !== ''),
  );
  return h(
    'section',
    { class: 'system', 'aria-labelledby': `sys-${system['Id']}`, 'data-system': String(system['Id']) },
    h('h3', { id: `sys-${system['Id']}` }, travelLink(id, String(system['Id'])), ' ', historyLink(id)),
    h(
      'dl',
      {},
      h('dt', {}, 'Power'),
      h(
        'dd',
        { class: `power power-${String(system['PowerState']).toLowerCase()}`, 'data-field': 'power' },
        String(system['PowerState'] ?? '?'),
      ),
      h('dt', {}, 'Status'),
      h('dd', { class: healthClass(system['Status']) }, statusText(system['Status'])),
      h('dt', {}, 'Boot override'),
      h(
        'dd',
        {},
        `${String(boot['BootSourceOverrideTarget'] ?? 'None')} (${String(boot['BootSourceOverrideEnabled'] ?? 'Disabled')}${boot['BootSourceOverrideMode'] ? `, ${String(boot['BootSourceOverrideMode'])}` : ''})`,
      ),
      h('dt', {}, 'Media'),
      h(
        'dd',
        {},
        inserted.length === 0
          ? 'none inserted'
          : inserted.map((m) => h('div', {}, `${String(m['Id'])}: ${String(m['Image'] ?? '')}`)),
      ),
    ),
    resetControl(system, can),
    ...card.storage.map(({ storage, drives, volumes }) =>
      h(
        'div',
        { class: 'storage' },
        h(
          'h4',
          {},
          travelLink(storage['@odata.id'], `Storage ${String(storage['Id'])}`),
          ' ',
          historyLink(storage['@odata.id']),
        ),
        h(
          'table',
          {},
          h('caption', {}, 'Drives'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Drive'),
              h('th', { scope: 'col' }, 'Size'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { scope: 'col' }, 'Fault'),
            ),
          ),
          h(
            'tbody',
            {},
            drives.map((d) =>
              h(
                'tr',
                { 'data-drive': d['@odata.id'] },
                h('td', {}, travelLink(d['@odata.id'], String(d['Id']))),
                h('td', {}, gib(d['CapacityBytes'])),
                h('td', { class: healthClass(d['Status']) }, statusText(d['Status'])),
                h('td', {}, driveControls(d, can)),
              ),
            ),
          ),
        ),
        h(
          'table',
          {},
          h('caption', {}, 'Volumes'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Volume'),
              h('th', { scope: 'col' }, 'RAID'),
              h('th', { scope: 'col' }, 'Size'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { scope: 'col' }, 'History'),
            ),
          ),
          h(
            'tbody',
            {},
            volumes.length === 0 ? h('tr', {}, h('td', { colspan: 5 }, 'none')) : null,
            volumes.map((v) =>
              h(
                'tr',
                { 'data-volume': v['@odata.id'] },
                h('td', {}, travelLink(v['@odata.id'], String(v['Name'] ?? v['Id']))),
                h('td', {}, String(v['RAIDType'] ?? '')),
                h('td', {}, gib(v['CapacityBytes'])),
                h('td', { class: healthClass(v['Status']) }, statusText(v['Status'])),
                h('td', {}, historyLink(v['@odata.id'])),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Draws the lab into `container`; called again (debounced) on every event of the live stream. */
export async function renderLab(container: HTMLElement, can: Privileges): Promise<void> {
  const { systems, tasks } = await readLab();
  replaceContent(
    container,
    h('h2', {}, 'Lab'),
    h(
      'section',
      { class: 'tasks', 'aria-label': 'pending tasks' },
      h('h3', {}, `Pending tasks (${tasks.length})`),
      tasks.length === 0
        ? h('p', {}, 'none')
        : h(
            'ul',
            {},
            tasks.map((t) =>
              h('li', {}, travelLink(t['@odata.id'], String(t['Name'] ?? t['Id'])), ` ${String(t['TaskState'])}`),
            ),
          ),
    ),
    h(
      'div',
      { class: 'systems' },
      systems.map((card) => renderSystem(card, can)),
    ),
  );
}
