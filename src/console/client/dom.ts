/** Builds elements with text set as text, never as HTML: nothing the service returns can inject markup. */
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces what `container` shows, keeping keyboard focus on the control with the same data-key. */
export function replaceContent(container: HTMLElement, ...children: Node[]): void {
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.['key'];
  container.replaceChildren(...children);
  if (focused) (container.querySelector(`[data-key="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
}

/** Says something to the user in the page's status line (read out by screen readers). */
export function say(text: string, kind: 'info' | 'error' = 'info'): void {
  const status = document.getElementById('status')!;
  status.textContent = text;
  status.className = kind;
}

/** A link within the console: hash routes, so the server serves one page. */
export function route(view: string, params: Record<string, string | number | undefined> = {}): string {
  const query = new URLSearchParams(
    Object.entries(params)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const text = query.toString();
  return `#/${view}${text ? `?${text}` : ''}`;
}
