import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventStore } from '../../eventstore/event-store.js';
import { accountDecider, type AccountCommand } from '../../domain/accounts/account-decider.js';
import { ACCOUNT_SERVICE_STREAM, ACCOUNTS, accountUri } from '../../domain/accounts/account-events.js';
import type { StoredView } from '../../eventstore/projector.js';
import type { AllowedMethods } from '../allowed-methods.js';
import { etagMatches, etagOf } from '../etag.js';
import { requireIfMatch } from '../patch-preconditions.js';
import { RedfishHttpError, resourceMissing } from '../redfish-error.js';
import { resourcePath } from '../server.js';
import { AccountDirectory } from './account-directory.js';
import { readAccountCreate, readAccountPatch, readAccountServicePatch } from './account-request.js';
import { readPatchBody } from '../patch-body.js';
import { CLAIMED_PROPERTIES } from '../claimed-properties.js';
import type { LoginLockout } from './login-lockout.js';
import type { SessionStore } from './sessions.js';
import { SESSION_SERVICE, sessionServiceDocument } from './auth-plugin.js';
import { executeRequest } from '../execute-request.js';

/** SessionTimeout's range in the SessionService schema (Validation.Minimum and Maximum). */
const SESSION_TIMEOUT = { min: 30, max: 86_400 };

const JSON_TYPE = 'application/json; charset=utf-8';
type AccountParams = { accountId: string };

/**
 * An account as served: its view, with `Locked` as the lockout holds it in memory (the view
 * always says false). A lock gives the account another ETag, so an If-Match made before it fails.
 */
function accountAsServed(view: StoredView, locked: boolean): { body: string; etag: string } {
  if (!locked) return { body: view.body, etag: etagOf(view) };
  return {
    body: JSON.stringify({ ...(JSON.parse(view.body) as object), Locked: true }),
    etag: `W/"${view.position}-locked"`,
  };
}

/**
 * The AccountService's changes: accounts created (POST), changed (PATCH: password, role,
 * enabled, unlock) and deleted, and the lockout settings (PATCH of the service). Each is an
 * event with no secret in it; a password's bcrypt hash is kept beside the log by the directory.
 * The service, its collections and roles are views served like any other; an account is served
 * here, to show whether it is locked.
 */
export function registerAccountService(
  app: FastifyInstance,
  allowed: AllowedMethods,
  store: EventStore,
  logins: { directory: AccountDirectory; lockout: LoginLockout; sessions: SessionStore },
): void {
  const { directory, lockout, sessions } = logins;
  const execute = (command: AccountCommand, request: FastifyRequest) =>
    executeRequest(store, ACCOUNT_SERVICE_STREAM, accountDecider, command, request);
  const sendAccount = (reply: FastifyReply, userName: string, status = 200) => {
    const { body, etag } = accountAsServed(store.views.get(accountUri(userName))!, lockout.isLocked(userName));
    return reply.status(status).header('ETag', etag).type(JSON_TYPE).send(body);
  };
  const existing = (request: FastifyRequest<{ Params: AccountParams }>) => {
    const view = store.views.get(accountUri(request.params.accountId));
    if (!view) throw resourceMissing(resourcePath(request.url));
    return view;
  };

  app.patch(ACCOUNT_SERVICE_STREAM, async (request, reply) => {
    const view = store.views.get(ACCOUNT_SERVICE_STREAM);
    if (!view) throw resourceMissing(ACCOUNT_SERVICE_STREAM);
    requireIfMatch(request.headers, view);
    const body = readPatchBody(request.body, JSON.parse(view.body), CLAIMED_PROPERTIES.AccountService);
    execute(readAccountServicePatch(body), request);
    const updated = store.views.get(ACCOUNT_SERVICE_STREAM)!;
    return reply.header('ETag', etagOf(updated)).type(JSON_TYPE).send(updated.body);
  });

  // The SessionService's idle timeout: kept by the accounts' aggregate with the lockout settings.
  app.patch(SESSION_SERVICE, async (request, reply) => {
    const current = sessionServiceDocument(sessions.timeoutSeconds);
    const body = readPatchBody(request.body, current, CLAIMED_PROPERTIES.SessionService);
    const seconds = body['SessionTimeout'];
    if (typeof seconds === 'number') {
      if (seconds < SESSION_TIMEOUT.min || seconds > SESSION_TIMEOUT.max)
        throw RedfishHttpError.of(
          400,
          'PropertyValueOutOfRange',
          [String(seconds), 'SessionTimeout'],
          ['/SessionTimeout'],
        );
      execute({ type: 'ChangeSessionTimeout', seconds }, request);
    }
    return reply.type(JSON_TYPE).send(sessionServiceDocument(sessions.timeoutSeconds));
  });

  // A collection also takes a POST at its Members property, as the specification allows.
  for (const url of [ACCOUNTS, `${ACCOUNTS}/Members`]) {
    app.post(url, async (request, reply) => {
      const { command, password } = readAccountCreate(request.body);
      const hash = await AccountDirectory.hashPassword(password);
      execute(command, request);
      directory.keepPassword(command.userName, hash);
      return sendAccount(reply.header('Location', accountUri(command.userName)), command.userName, 201);
    });
  }

  const account = `${ACCOUNTS}/:accountId`;
  app.get<{ Params: AccountParams }>(account, async (request, reply) => {
    const view = existing(request);
    const served = accountAsServed(view, lockout.isLocked(request.params.accountId));
    reply.header('ETag', served.etag).header('Allow', allowed.allowHeader(view.odataId, true));
    if (etagMatches(request.headers['if-none-match'], served.etag)) return reply.status(304).send();
    return reply.type(JSON_TYPE).send(served.body);
  });

  app.patch<{ Params: AccountParams }>(account, async (request, reply) => {
    const { accountId } = request.params;
    const view = existing(request);
    const locked = lockout.isLocked(accountId);
    const served = accountAsServed(view, locked);
    const ifMatch = request.headers['if-match'];
    if (ifMatch !== undefined && !etagMatches(ifMatch, served.etag))
      throw RedfishHttpError.of(412, 'PreconditionFailed');
    const body = readPatchBody(request.body, JSON.parse(served.body), CLAIMED_PROPERTIES.ManagerAccount);
    const { command, password } = readAccountPatch(body, accountId, locked);
    // Without ConfigureUsers the caller is here by ConfigureSelf: its own password, nothing else.
    const mayManage = request.privileges === undefined || request.privileges.includes('ConfigureUsers');
    if (!mayManage && (command.roleId !== undefined || command.enabled !== undefined || command.unlock))
      throw RedfishHttpError.of(403, 'InsufficientPrivilege');
    const hash = password === undefined ? undefined : await AccountDirectory.hashPassword(password);
    execute(command, request);
    if (hash !== undefined) directory.keepPassword(accountId, hash);
    if (command.unlock) lockout.unlock(accountId);
    if (command.enabled === false) sessions.endSessionsOf(accountId);
    return sendAccount(reply, accountId);
  });

  app.delete<{ Params: AccountParams }>(account, async (request, reply) => {
    const { accountId } = request.params;
    existing(request);
    execute({ type: 'DeleteAccount', userName: accountId }, request);
    directory.forgetPassword(accountId);
    lockout.unlock(accountId);
    sessions.endSessionsOf(accountId);
    return reply.status(204).send();
  });
}
