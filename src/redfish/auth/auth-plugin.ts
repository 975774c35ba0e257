import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AllowedMethods } from '../allowed-methods.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { ODATA_TYPE } from '../../projections/odata-types.js';
import { resourcePath } from '../server.js';
import type { Accounts } from './accounts.js';
import type { AccountDirectory } from './account-directory.js';
import type { LoginLockout } from './login-lockout.js';
import type { Privilege } from './roles.js';
import { checkPrivilege, isProtectedPath, refuseUnlistedRoutes, type OwnsResource } from './route-privileges.js';
import type { Session, SessionStore } from './sessions.js';

export const SESSION_SERVICE = '/redfish/v1/SessionService';
const SESSIONS = `${SESSION_SERVICE}/Sessions`;

/** What anyone may read without credentials, as the Redfish specification requires. */
const PUBLIC_READS = new Set(['/redfish', '/redfish/v1', '/redfish/v1/$metadata', '/redfish/v1/odata']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request: 'user:NAME' once authenticated. */
    actor?: string;
    /** What the authenticated account may do; absent when authentication is off (then anything). */
    privileges?: readonly Privilege[];
  }
}

const unauthorized = () =>
  RedfishHttpError.of(401, 'NoValidSession').withHeaders({ 'WWW-Authenticate': 'Basic realm="redfish-emulator"' });

/** The user name and password of an HTTP Basic Authorization header, if it is one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The SessionService as served: its idle timeout as it now is. */
export function sessionServiceDocument(timeoutSeconds: number): Record<string, unknown> {
  return {
    '@odata.id': SESSION_SERVICE,
    '@odata.type': ODATA_TYPE.SessionService,
    Id: 'SessionService',
    Name: 'Session Service',
    ServiceEnabled: true,
    SessionTimeout: timeoutSeconds,
    Sessions: { '@odata.id': SESSIONS },
  };
}

function sessionDocument(session: Session): object {
  return {
    '@odata.id': `${SESSIONS}/${session.id}`,
    '@odata.type': ODATA_TYPE.Session,
    Id: session.id,
    Name: 'User Session',
    UserName: session.userName,
    CreatedTime: session.createdAt,
  };
}

function stringProperty(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined) throw RedfishHttpError.of(400, 'PropertyMissing', [name], [`/${name}`]);
  if (typeof value !== 'string')
    throw RedfishHttpError.of(400, 'PropertyValueTypeError', [JSON.stringify(value), name], [`/${name}`]);
  return value;
}

/**
 * Sessions the service shows but nobody opened here (a mockup's recorded ones): listed and read
 * beside the real ones, never deleted, and no token belongs to them.
 */
export interface RecordedSessions {
  ids(): readonly string[];
  /** The recorded document, serialised, or undefined when there is no such session. */
  body(id: string): string | undefined;
}

interface Logins {
  readonly accounts: Accounts;
  readonly directory: AccountDirectory;
  readonly lockout: LoginLockout;
}

/**
 * Whether a user name and password log in (HTTP Basic or a new session). A failure counts
 * against the account's lockout; a locked account is refused whatever the password, and the
 * client is told only 401, as BMCs do (the request log says why).
 */
async function passwordAccepted(
  request: FastifyRequest,
  logins: Logins,
  user: string,
  password: string,
): Promise<boolean> {
  const { accounts, directory, lockout } = logins;
  const ok = await accounts.verify(user, password);
  if (lockout.isLocked(user)) {
    request.loginRefusal = `account ${user} is locked by failed logins`;
    return false;
  }
  if (ok) {
    lockout.recordSuccess(user);
    return true;
  }
  if (directory.account(user) !== undefined && lockout.recordFailure(user))
    request.loginRefusal = `account ${user} locked: too many failed logins`;
  return false;
}

/** The account a request's credentials belong to, or a 401. */
async function authenticate(request: FastifyRequest, logins: Logins, sessions: SessionStore): Promise<string> {
  const token = request.headers['x-auth-token'];
  if (typeof token === 'string' && token !== '') {
    const session = sessions.find(token);
    if (!session) throw unauthorized();
    return session.userName;
  }
  const basic = basicCredentials(request.headers.authorization);
  if (!basic || !(await passwordAccepted(request, logins, basic.user, basic.password))) throw unauthorized();
  return basic.user;
}

/**
 * Authentication and authorization for the Redfish service: HTTP Basic against the accounts, or
 * an X-Auth-Token from a session, then the privilege the route needs (route-privileges.ts) from
 * the account's role; the SessionService and its sessions. Everything under /redfish but the
 * service root, $metadata and the OData document needs credentials, and so does the emulator's
 * own API (fault injection, history, time travel).
 */
export function registerAuth(
  app: FastifyInstance,
  allowed: AllowedMethods,
  options: Logins & { sessions: SessionStore; enforce: boolean; recorded?: RecordedSessions },
): void {
  const { sessions, directory } = options;
  const recorded = options.recorded ?? { ids: () => [], body: () => undefined };
  refuseUnlistedRoutes(app);
  // A script's request (the web console's, which says so as XMLHttpRequest-era pages do) gets
  // its 401 without the Basic challenge: a browser would answer that with its own password
  // dialog, in front of the page's login form.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && request.headers['x-requested-with'] !== undefined)
      reply.removeHeader('WWW-Authenticate');
    return payload;
  });
  // An account's Id is its UserName.
  const owns: OwnsResource = (kind, id, userName) =>
    kind === 'session' ? sessions.get(id)?.userName === userName : id === userName;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!options.enforce || !isProtectedPath(request.url)) return;
    const path = resourcePath(request.url);
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    if (
      (isRead && PUBLIC_READS.has(path)) ||
      (request.method === 'POST' && (path === SESSIONS || path === `${SESSIONS}/Members`))
    )
      return;
    const userName = await authenticate(request, options, sessions);
    request.actor = `user:${userName}`;
    request.privileges = directory.privilegesOf(userName);
    checkPrivilege(request, { userName, privileges: request.privileges }, owns);
  });

  app.get(SESSION_SERVICE, async (_request, reply) =>
    reply
      .header('Allow', allowed.allowHeader(SESSION_SERVICE, false))
      .type('application/json; charset=utf-8')
      .send(sessionServiceDocument(sessions.timeoutSeconds)),
  );

  app.get(SESSIONS, async (_request, reply) => {
    const members = [...recorded.ids(), ...sessions.list().map((s) => s.id)].map((id) => ({
      '@odata.id': `${SESSIONS}/${id}`,
    }));
    return reply.type('application/json; charset=utf-8').send({
      '@odata.id': SESSIONS,
      '@odata.type': ODATA_TYPE.SessionCollection,
      Name: 'Session Collection',
      Members: members,
      'Members@odata.count': members.length,
    });
  });

  // A collection also takes a POST at its Members property, as the specification allows.
  app.post(`${SESSIONS}/Members`, (request, reply) => login(request, reply));
  app.post(SESSIONS, (request, reply) => login(request, reply));
  async function login(request: FastifyRequest, reply: FastifyReply) {
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body))
      throw RedfishHttpError.of(400, 'MalformedJSON');
    const body = request.body as Record<string, unknown>;
    const user = stringProperty(body, 'UserName');
    const password = stringProperty(body, 'Password');
    if (!(await passwordAccepted(request, options, user, password))) throw unauthorized();
    const { session, token } = sessions.create(user);
    return reply
      .status(201)
      .header('X-Auth-Token', token)
      .header('Location', `${SESSIONS}/${session.id}`)
      .type('application/json; charset=utf-8')
      .send(sessionDocument(session));
  }

  app.get<{ Params: { sessionId: string } }>(`${SESSIONS}/:sessionId`, async (request, reply) => {
    const session = sessions.get(request.params.sessionId);
    const recordedBody = session ? undefined : recorded.body(request.params.sessionId);
    if (recordedBody !== undefined) return reply.type('application/json; charset=utf-8').send(recordedBody);
    if (!session) throw resourceMissing(resourcePath(request.url));
    return reply.type('application/json; charset=utf-8').send(sessionDocument(session));
  });
  app.delete<{ Params: { sessionId: string } }>(`${SESSIONS}/:sessionId`, async (request, reply) => {
    if (recorded.body(request.params.sessionId) !== undefined)
      throw RedfishHttpError.of(405, 'OperationNotAllowed').withHeaders({ Allow: 'GET, HEAD' });
    if (!sessions.delete(request.params.sessionId)) throw resourceMissing(resourcePath(request.url));
    return reply.status(204).send();
  });
}
