import { getJson } from './api.js';
import { h, replaceContent, route, say } from './dom.js';
import { historyPage, type Entry } from './history.js';

const PAGE = 50;
const FILTERS = ['system', 'resource', 'actor', 'type', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** What an event did, in a line: the Redfish message when the service has one, else its payload as stored. */
function summary(entry: Entry): string {
  if (entry.message) return entry.message.Message;
  const data = JSON.stringify(entry.data);
  return data === '{}' || data === undefined ? '' : data.length > 200 ? `${data.slice(0, 199)}…` : data;
}

/** One event; its position links to `focus` (the resource the timeline is of, else the event's subject) as it was after it. */
function row(entry: Entry, focus: string | undefined): HTMLElement {
  return h(
    'li',
    { class: `entry type-${entry.type}`, 'data-position': entry.position },
    h(
      'a',
      {
        href: route('resource', { id: focus ?? entry.subject, at: entry.position }),
        class: 'position',
        title: 'the resource as it was after this event',
      },
      `#${entry.position}`,
    ),
    h('time', { datetime: entry.recordedAt }, entry.recordedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
    h('strong', { class: 'type' }, entry.type),
    h('a', { href: route('timeline', { resource: entry.subject }), class: 'subject' }, entry.subject),
    h('span', { class: 'who' }, entry.actor ?? '—', entry.requestId ? ` · ${entry.requestId}` : ''),
    h(
      'span',
      { class: 'message' },
      entry.message ? h('code', {}, entry.message.MessageId.split('.').pop()!) : null,
      ' ',
      summary(entry),
    ),
  );
}

/**
 * The timeline of the lab, or of what the filters name, newest first, a page at a time through
 * the History API (its `Next` link): a log of any size opens at the speed of one page.
 */
export async function renderTimeline(
  container: HTMLElement,
  params: URLSearchParams,
  systems: string[],
): Promise<void> {
  const filters: Filters = Object.fromEntries(
    FILTERS.map((name) => [name, params.get(name) ?? '']).filter(([, v]) => v !== ''),
  );
  const list = h('ol', { class: 'timeline', 'aria-label': 'events, newest first' });
  const more = h('button', { type: 'button', hidden: true }, 'Older events');
  let next: string | null = null;
  const load = async (page: Promise<{ Events: Entry[]; Next: string | null }>) => {
    const { Events, Next } = await page;
    list.append(...Events.map((entry) => row(entry, filters.resource)));
    if (list.childElementCount === 0) list.append(h('li', {}, 'No events match.'));
    next = Next;
    more.hidden = Next === null;
  };
  more.addEventListener('click', () => {
    if (next) void load(getJson(next)).catch((err: Error) => say(err.message, 'error'));
  });

  const field = (name: (typeof FILTERS)[number], label: string, input: HTMLInputElement | HTMLSelectElement) => {
    input.name = name;
    input.id = `filter-${name}`;
    input.value = filters[name] ?? '';
    return h('label', { for: input.id }, label, input);
  };
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    field(
      'system',
      'System',
      h(
        'select',
        {},
        h('option', { value: '' }, 'all'),
        systems.map((s) => h('option', { value: s }, s)),
      ),
    ),
    field('resource', 'Resource', h('input', { type: 'text', placeholder: '/redfish/v1/Systems/node-1/…', size: 30 })),
    field('actor', 'Actor', h('input', { type: 'text', placeholder: 'user:admin' })),
    field('type', 'Type', h('input', { type: 'text', placeholder: 'ResetRequested,…' })),
    field('since', 'Since', h('input', { type: 'text', placeholder: '2h or 2026-12-03T10:00:00Z' })),
    field('until', 'Until', h('input', { type: 'text', placeholder: 'ISO time' })),
    h('button', { type: 'submit' }, 'Filter'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    location.hash = route(
      'timeline',
      Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) ?? '') || undefined])),
    );
  });
  const title = filters.resource ?? (filters.system ? `/redfish/v1/Systems/${filters.system}` : undefined);
  replaceContent(container, h('h2', {}, title ? `Timeline of ${title}` : 'Timeline of the lab'), form, list, more);
  // A system is its resource and everything under it; an explicit resource narrows further.
  await load(
    historyPage({
      order: 'newest',
      limit: PAGE,
      resource: filters.resource ?? (filters.system ? `/redfish/v1/Systems/${filters.system}` : undefined),
      actor: filters.actor,
      type: filters.type,
      since: filters.since,
      until: filters.until,
    }),
  );
}
