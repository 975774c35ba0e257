import { ApiError, login, logout, token, userName, whenSessionLost } from './api.js';
import { say } from './dom.js';
import { followEvents } from './event-stream.js';
import { membersIfAny, renderLab } from './lab-view.js';
import { renderMarks } from './marks-view.js';
import { readPrivileges, type Privileges } from './privileges.js';
import { renderTimeline } from './timeline-view.js';
import { renderTravel } from './travel-view.js';

const loginForm = document.getElementById('login') as HTMLFormElement;
const nav = document.getElementById('nav')!;
const view = document.getElementById('view')!;
const live = document.getElementById('live')!;
let stopEvents: (() => void) | undefined;
let can: Privileges = { configureComponents: false, configureManager: false };
let systems: string[] = [];

function showLogin(message?: string): void {
  stopEvents?.();
  stopEvents = undefined;
  nav.hidden = true;
  view.replaceChildren();
  loginForm.hidden = false;
  say(message ?? '', message ? 'error' : 'info');
  (loginForm.elements.namedItem('user') as HTMLInputElement).focus();
}

/**
 * Draws the view the location's hash names, after any draw under way: a slow lab drawn at login
 * must not land over the marks a quick click asked for meanwhile, so draws run one at a time and
 * each reads the hash when its turn comes.
 */
let drawing: Promise<void> = Promise.resolve();
function draw(): Promise<void> {
  drawing = drawing.then(drawNow);
  return drawing;
}

/** Draws the view the location's hash names now; the lab is the default. */
async function drawNow(): Promise<void> {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query ?? '');
  for (const link of nav.querySelectorAll('a'))
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${path || 'lab'}`);
  document.body.dataset['view'] = path || 'lab';
  try {
    if (path === 'timeline') await renderTimeline(view, params, systems);
    else if (path === 'resource') await renderTravel(view, params);
    else if (path === 'marks') await renderMarks(view, can, () => void draw());
    else await renderLab(view, can);
    document.body.dataset['drawn'] = String(Date.now());
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    say(err instanceof Error ? err.message : String(err), 'error');
  }
}

/** Redraws the lab view after events, at most every 150 ms, so a burst of events is one redraw. */
let pending: ReturnType<typeof setTimeout> | undefined;
function eventArrived(): void {
  if (document.body.dataset['view'] !== 'lab' || pending) return;
  pending = setTimeout(() => {
    pending = undefined;
    void draw();
  }, 150);
}

async function start(): Promise<void> {
  loginForm.hidden = true;
  nav.hidden = false;
  document.getElementById('who')!.textContent = userName() ?? '';
  can = await readPrivileges();
  systems = (await membersIfAny('/redfish/v1/Systems')).map((system) => String(system['Id']));
  stopEvents = followEvents(eventArrived, (on) => {
    live.textContent = on ? '● live' : '○ reconnecting';
    live.className = on ? 'on' : 'off';
  });
  await draw();
}

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(loginForm);
  void login(String(data.get('user')), String(data.get('password')))
    .then(() => {
      (loginForm.elements.namedItem('password') as HTMLInputElement).value = '';
      say('');
      return start();
    })
    .catch((err: unknown) => {
      say(
        err instanceof ApiError && err.status === 401
          ? 'Wrong user name or password.'
          : `Cannot log in: ${err instanceof Error ? err.message : String(err)}`,
        'error',
      );
    });
});
document.getElementById('logout')!.addEventListener('click', () => {
  void logout().finally(() => showLogin());
});
window.addEventListener('hashchange', () => {
  if (token()) void draw();
});
whenSessionLost(() => showLogin('Your session has ended; log in again.'));

if (token()) void start().catch(() => showLogin());
else showLogin();
