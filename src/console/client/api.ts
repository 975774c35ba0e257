/**
 * The console's one way to the service: the Redfish session it logged in with, its token kept in
 * sessionStorage (gone with the tab, never sent by the browser on its own, so no other site can
 * make a request with it: no cookie, no CSRF), sent as X-Auth-Token on every request.
 */
const TOKEN_KEY = 'redfish-emulator.token';
const SESSION_KEY = 'redfish-emulator.session';
const USER_KEY = 'redfish-emulator.user';

/** Says the request is a script's, so a 401 comes without the Basic challenge that would open the browser's own password dialog. */
export const SCRIPT = { 'X-Requested-With': 'XMLHttpRequest' } as const;

/** A refusal, as the DMTF error body words it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messageId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the service no longer knows the session (expired, or the emulator restarted). */
let onSessionLost: () => void = () => {};
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

export const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const userName = (): string | null => sessionStorage.getItem(USER_KEY);

function forget(): void {
  for (const key of [TOKEN_KEY, SESSION_KEY, USER_KEY]) sessionStorage.removeItem(key);
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as {
      error?: { '@Message.ExtendedInfo'?: { MessageId?: string; Message?: string }[]; message?: string };
    };
    const info = body.error?.['@Message.ExtendedInfo']?.[0];
    return new ApiError(
      response.status,
      info?.MessageId ?? '',
      info?.Message ?? body.error?.message ?? response.statusText,
    );
  } catch {
    return new ApiError(response.status, '', response.statusText);
  }
}

/** A request with the session's token; a 401 ends the console's session. */
export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...SCRIPT };
  const current = token();
  if (current) headers['X-Auth-Token'] = current;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (response.status === 401 && current) {
    forget();
    onSessionLost();
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request('GET', path)).json()) as T;
}

/** POST (or another method) of a JSON body; the answer's JSON, or null when it has none. */
export async function send<T = unknown>(method: string, path: string, body?: unknown): Promise<T | null> {
  const response = await request(method, path, body);
  const text = await response.text();
  return text === '' ? null : (JSON.parse(text) as T);
}

/** Logs in with a Redfish session; a wrong password is an ApiError (401). */
export async function login(user: string, password: string): Promise<void> {
  const response = await fetch('/redfish/v1/SessionService/Sessions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...SCRIPT },
    body: JSON.stringify({ UserName: user, Password: password }),
  });
  if (!response.ok) throw await errorOf(response);
  sessionStorage.setItem(TOKEN_KEY, response.headers.get('X-Auth-Token') ?? '');
  sessionStorage.setItem(SESSION_KEY, response.headers.get('Location') ?? '');
  sessionStorage.setItem(USER_KEY, user);
}

/** Ends the Redfish session (DELETE of it) and forgets the token. */
export async function logout(): Promise<void> {
  const session = sessionStorage.getItem(SESSION_KEY);
  try {
    if (session) await request('DELETE', session);
  } finally {
    forget();
  }
}
