import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { projectRoot } from '../project-root.js';
import { resourceMissing } from '../redfish/redfish-error.js';
import { resourcePath } from '../redfish/server.js';

export const CONSOLE_PREFIX = '/console';

/** The console's files: the page and its style from the checkout, the client as tsc compiled it. */
const FILES: Readonly<Record<string, { readonly from: string; readonly type: string }>> = {
  'index.html': { from: 'src/console/static/index.html', type: 'text/html; charset=utf-8' },
  'console.css': { from: 'src/console/static/console.css', type: 'text/css; charset=utf-8' },
};
const CLIENT_DIR = 'dist/console';

/**
 * Nothing but the service's own origin may run or be loaded in the page, and no other site may
 * frame it: the session token lives in the page's sessionStorage, so a script from elsewhere is
 * the one way to steal it.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** The file a console path names, or undefined: only listed files and the compiled client's .js. */
function fileOf(name: string): { path: string; type: string } | undefined {
  const listed = FILES[name];
  if (listed) return { path: join(projectRoot(), listed.from), type: listed.type };
  if (/^[a-z][a-z0-9-]*\.js$/.test(name))
    return { path: join(projectRoot(), CLIENT_DIR, name), type: 'text/javascript; charset=utf-8' };
  return undefined;
}

function send(reply: FastifyReply, name: string, url: string): FastifyReply {
  const file = fileOf(name);
  let body: Buffer;
  try {
    if (!file) throw new Error('not a console file');
    body = readFileSync(file.path);
  } catch {
    throw resourceMissing(resourcePath(url));
  }
  return reply.headers(SECURITY_HEADERS).type(file!.type).send(body);
}

/**
 * The web console: static files that hold no lab data. The page logs in with a Redfish session
 * and reads everything through the Redfish service and the emulator's API with that session's
 * token, so the accounts and their privileges apply to it as to any client. A browser asking for
 * `/` is sent here; any other client gets the 404 it always got.
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  app.get('/', async (request, reply) => {
    if (!(request.headers.accept ?? '').includes('text/html')) throw resourceMissing('/');
    return reply.redirect(`${CONSOLE_PREFIX}/`, 302);
  });
  // The router ignores a trailing slash, so this is /console/ too; the page names its files by absolute paths.
  app.get(CONSOLE_PREFIX, async (request, reply) => send(reply, 'index.html', request.url));
  app.get<{ Params: { file: string } }>(`${CONSOLE_PREFIX}/:file`, async (request, reply) =>
    send(reply, request.params.file, request.url),
  );
}
