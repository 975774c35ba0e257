import { ApiError, getJson, request } from './api.js';
import { h, replaceContent, route } from './dom.js';
import { historyPage, marks, type Entry } from './history.js';

interface Change {
  op: string;
  path: string;
  value?: unknown;
  previous?: unknown;
}
interface Diff {
  changes: Change[];
}

/** The document at a position: its body, or undefined when the resource did not exist then. */
async function asOf(id: string, position: number): Promise<unknown> {
  try {
    return await (await request('GET', `/emulator/v1/AsOf?resource=${encodeURIComponent(id)}&asOf=${position}`)).json();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** A value in a line, cut short when long (the document below shows it whole). */
const brief = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
};

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** A JSON document as nested lines, every value whose pointer changed marked. */
function jsonTree(value: unknown, pointer: string, changed: Set<string>, key?: string): HTMLElement {
  const mark = changed.has(pointer);
  const label = key === undefined ? null : h('span', { class: 'key' }, `${JSON.stringify(key)}: `);
  let body: HTMLElement;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    body = h(
      'span',
      {},
      Array.isArray(value) ? '[' : '{',
      h(
        'div',
        { class: 'nested' },
        entries.map(([k, v]) =>
          jsonTree(v, `${pointer}/${escapePointer(k)}`, changed, Array.isArray(value) ? undefined : k),
        ),
      ),
      Array.isArray(value) ? ']' : '}',
    );
  } else {
    body = h('span', { class: 'scalar' }, JSON.stringify(value));
  }
  return h('div', { class: mark ? 'line changed' : 'line', 'data-pointer': pointer }, label, body);
}

function changeList(changes: Change[]): HTMLElement {
  if (changes.length === 0) return h('p', {}, 'Nothing changed in this resource at this event.');
  return h(
    'ul',
    { class: 'changes', 'aria-label': 'changes since the previous point' },
    changes.map((c) =>
      h(
        'li',
        {},
        h('code', {}, c.op),
        ' ',
        h('code', {}, c.path || '/'),
        c.op !== 'add' ? h('span', { class: 'previous' }, ` ${brief(c.previous)}`) : null,
        c.op !== 'remove' ? h('span', { class: 'value' }, ` → ${brief(c.value)}`) : null,
      ),
    ),
  );
}

/**
 * A resource as it was at a point of the log (`at`, a position; the latest event about it when
 * none is given), what changed since the previous event about it (the Diff API's JSON Patch,
 * marked in the document), and steps to the previous and next events about it.
 */
export async function renderTravel(container: HTMLElement, params: URLSearchParams): Promise<void> {
  const id = params.get('id') ?? '/redfish/v1';
  const latest = (await historyPage({ resource: id, order: 'newest', limit: 1 })).Events[0];
  const at = Number(params.get('at') ?? latest?.position ?? 0);
  const [before, after, allMarks, newest] = await Promise.all([
    historyPage({ resource: id, order: 'newest', limit: 1, 'until-position': Math.max(at - 1, 0) }),
    historyPage({ resource: id, limit: 1, after: at }),
    marks(),
    historyPage({ order: 'newest', limit: 1 }).then((p) => p.Events[0]?.position ?? 0),
  ]);
  const previous: Entry | undefined = at > 0 ? before.Events[0] : undefined;
  const next: Entry | undefined = after.Events[0];
  const from = previous?.position ?? 0;
  const [document, diff, event] = await Promise.all([
    asOf(id, at),
    getJson<Diff>(`/emulator/v1/Diff?resource=${encodeURIComponent(id)}&from=${from}&to=${at}`).catch(
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return { changes: [] };
        throw err;
      },
    ),
    historyPage({ 'until-position': at, order: 'newest', limit: 1 }).then((p) => p.Events[0]),
  ]);
  const changed = new Set(diff.changes.map((c) => c.path));

  const step = (entry: Entry | undefined, label: string, key: string) =>
    entry
      ? h(
          'a',
          { href: route('resource', { id, at: entry.position }), class: 'button', 'data-key': key, rel: key },
          `${label} (#${entry.position} ${entry.type})`,
        )
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, label);
  const markSelect = h(
    'select',
    { id: 'travel-mark', 'aria-label': 'go to a mark' },
    h('option', { value: '' }, 'go to a mark…'),
    allMarks.map((m) => h('option', { value: m.position }, `${m.name} (#${m.position})`)),
  );
  markSelect.addEventListener('change', () => {
    if (markSelect.value) location.hash = route('resource', { id, at: markSelect.value });
  });
  const positionForm = h(
    'form',
    { class: 'inline' },
    h(
      'label',
      { for: 'travel-at' },
      'Position ',
      h('input', { id: 'travel-at', name: 'at', type: 'number', min: 0, value: at }),
    ),
    h('button', { type: 'submit' }, 'Go'),
  );
  positionForm.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = route('resource', { id, at: (positionForm.elements.namedItem('at') as HTMLInputElement).value });
  });

  replaceContent(
    container,
    h('h2', {}, 'Time travel: ', h('code', {}, id)),
    h(
      'p',
      { class: 'point' },
      `As of position ${at}`,
      event ? ` (${event.recordedAt}, after ${event.type}${event.actor ? ` by ${event.actor}` : ''})` : '',
      ' · ',
      h('a', { href: route('timeline', { resource: id }) }, 'timeline of this resource'),
    ),
    h(
      'nav',
      { class: 'steps', 'aria-label': 'step through events' },
      step(previous, '◀ Previous change', 'prev'),
      step(next, 'Next change ▶', 'next'),
      at > 0
        ? h(
            'a',
            {
              href: route('resource', { id, at: at - 1 }),
              class: 'button',
              rel: 'back',
              title: 'one event of the log back',
            },
            `◀ #${at - 1}`,
          )
        : null,
      at < newest
        ? h(
            'a',
            {
              href: route('resource', { id, at: at + 1 }),
              class: 'button',
              rel: 'forward',
              title: 'one event of the log on',
            },
            `#${at + 1} ▶`,
          )
        : null,
      h('a', { href: route('resource', { id }), class: 'button' }, 'Latest'),
      markSelect,
      positionForm,
    ),
    h('section', { 'aria-label': 'changes' }, h('h3', {}, `Changes since position ${from}`), changeList(diff.changes)),
    h(
      'section',
      { 'aria-label': 'document' },
      h('h3', {}, 'Document'),
      document === undefined
        ? h('p', { class: 'absent' }, 'This resource did not exist at this point.')
        : h('div', { class: 'json' }, jsonTree(document, '', changed)),
    ),
  );
}
