import { request, send } from './api.js';
import { h, replaceContent, route, say } from './dom.js';
import { marks } from './history.js';
import type { Privileges } from './privileges.js';

/** Saves a response body as a file, with the name the server gave it. */
async function download(response: Response, fallback: string): Promise<void> {
  const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? fallback;
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The marks placed, a form to place one, and a scenario between two of them as a download (the file the CLI exports). */
export async function renderMarks(container: HTMLElement, can: Privileges, redraw: () => void): Promise<void> {
  const placed = await marks();
  const name = h('input', {
    id: 'mark-name',
    name: 'name',
    type: 'text',
    required: true,
    pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,63}',
    placeholder: 'before-deploy',
  });
  const placeForm = h(
    'form',
    { class: 'inline', id: 'place-mark' },
    h('label', { for: 'mark-name' }, 'Name ', name),
    h('button', { type: 'submit', disabled: !can.configureComponents }, 'Place mark'),
  );
  placeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void send<{ Name: string; Position: number }>('POST', '/emulator/v1/Marks', { Name: name.value })
      .then((mark) => {
        say(`Mark ${mark!.Name} placed at position ${mark!.Position}`);
        redraw();
      })
      .catch((err: Error) => say(`Place mark: ${err.message}`, 'error'));
  });
  const options = (selected?: string) =>
    placed.map((m) => h('option', { value: m.name, selected: m.name === selected }, `${m.name} (#${m.position})`));
  const fromMark = h('select', { id: 'export-from', name: 'from' }, options(placed.at(-2)?.name));
  const toMark = h('select', { id: 'export-to', name: 'to' }, options(placed.at(-1)?.name));
  const exportForm = h(
    'form',
    { class: 'inline', id: 'export-scenario' },
    h('label', { for: 'export-from' }, 'From ', fromMark),
    h('label', { for: 'export-to' }, 'To ', toMark),
    h('button', { type: 'submit', disabled: placed.length === 0 || !can.configureManager }, 'Download scenario'),
  );
  exportForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ 'from-mark': fromMark.value, 'to-mark': toMark.value });
    void request('GET', `/emulator/v1/Scenario?${query.toString()}`)
      .then((response) => download(response, 'scenario.ndjson'))
      .then(() => say(`Scenario ${fromMark.value} → ${toMark.value} downloaded`))
      .catch((err: Error) => say(`Export: ${err.message}`, 'error'));
  });
  replaceContent(
    container,
    h('h2', {}, 'Marks and scenarios'),
    h('section', { 'aria-label': 'place a mark' }, h('h3', {}, 'Place a mark at the end of the log'), placeForm),
    h(
      'section',
      { 'aria-label': 'export a scenario' },
      h('h3', {}, 'Export a scenario between two marks'),
      exportForm,
      h(
        'p',
        { class: 'small' },
        'The same file as ',
        h('code', {}, 'redfish-emulator scenario export --from-mark A --to-mark B'),
        '; replay it with ',
        h('code', {}, 'scenario replay'),
        '.',
      ),
    ),
    h(
      'section',
      { 'aria-label': 'marks' },
      h('h3', {}, 'Marks'),
      placed.length === 0
        ? h('p', {}, 'No marks yet.')
        : h(
            'ul',
            { id: 'marks' },
            placed.map((m) =>
              h(
                'li',
                {},
                h('a', { href: route('timeline', { until: m.recordedAt }) }, m.name),
                ` at #${m.position}, ${m.recordedAt}`,
              ),
            ),
          ),
    ),
  );
}
