import type { FastifyBaseLogger } from 'fastify';
import type { EmulatorConfig } from './config/config.js';
import type { EventStore } from './eventstore/event-store.js';
import { openConfiguredStore, storeFile } from './open-configured-store.js';
import { claimStoreOwnership } from './eventstore/store-owner.js';
import type { OpenedStore } from './views/open-store.js';
import { buildRedfishServer } from './redfish/server.js';
import { EMULATOR_VERSION } from './version.js';
import { ensureServiceCreated } from './service-identity.js';
import { labSystems } from './lab/lab-systems.js';
import { registerSystems } from './lab/register-systems.js';
import { LabRuntime } from './lab/lab-runtime.js';
import { claimReconcilerCheckpoints } from './reconciler/reconciler-checkpoints.js';
import { registerResetRoute } from './redfish/systems/reset-route.js';
import { registerSystemPatchRoute } from './redfish/systems/system-patch-route.js';
import { registerChassisPatchRoute } from './redfish/chassis/chassis-patch-route.js';
import { registerDrivePatchRoute } from './redfish/storage/drive-patch-route.js';
import { registerVirtualMediaRoutes } from './redfish/systems/virtual-media-routes.js';
import { registerVolumeRoutes } from './redfish/storage/volume-routes.js';
import { systemAddressRewriter } from './redfish/systems/system-addresses.js';
import { registerSecureBootRoute } from './redfish/systems/secure-boot-route.js';
import { registerTaskMonitorRoute } from './redfish/tasks/task-monitor-route.js';
import { registerTaskCancelRoutes } from './redfish/tasks/task-cancel-route.js';
import { registerDriveFaultRoutes } from './redfish/admin/drive-fault-routes.js';
import { registerTimeTravelRoutes } from './redfish/admin/time-travel-routes.js';
import { registerEventServiceRoutes } from './redfish/events/event-service-routes.js';
import { SseHub } from './redfish/events/sse-hub.js';
import { EventDispatcher } from './redfish/events/event-dispatcher.js';
import { registerHistoryRoutes } from './redfish/admin/history-routes.js';
import { registerMarkRoutes } from './redfish/admin/mark-routes.js';
import { registerScenarioRoutes } from './redfish/admin/scenario-routes.js';
import { registerConsoleRoutes } from './console/console-routes.js';
import { registerLogEntriesRoute } from './redfish/managers/log-entries-route.js';
import { registerBiosRoutes } from './redfish/systems/bios-routes.js';
import { registerAuth } from './redfish/auth/auth-plugin.js';
import { registerAccountService } from './redfish/auth/account-service-routes.js';
import { Accounts } from './redfish/auth/accounts.js';
import { SessionStore } from './redfish/auth/sessions.js';
import { AccountDirectory } from './redfish/auth/account-directory.js';
import { LoginLockout } from './redfish/auth/login-lockout.js';
import { readConfiguredAccounts, recordConfiguredAccounts } from './redfish/auth/configured-accounts.js';
import { tlsFiles } from './tls-files.js';
import { startBanner } from './start-banner.js';
import { holdPort, type HeldPort } from './held-port.js';
import { FirmwareFetcher } from './reconciler/firmware-fetcher.js';
import { ChangeNotifier, claimNotifierCheckpoint, notificationTls } from './notifications/change-notifier.js';
import { registerUpdateServiceRoutes } from './redfish/update/update-service-routes.js';
import { registerCertificateRoutes } from './redfish/certificates/certificate-routes.js';
import { httpsCertificateInstaller, recordServedCertificate } from './redfish/certificates/served-certificate.js';
import { RefusalRecorder } from './redfish/refusal-recorder.js';
import { DEFAULT_REFUSAL_LIMITS } from './domain/refusals/refusal-window.js';
import { LoopHealth } from './health/loop-health.js';
import { withLoopFailures } from './health/loop-status.js';
import { startMockupLab } from './mockup/mockup-lab.js';
import { registerMockupRoutes } from './mockup/mockup-routes.js';
import { mockupRecordedSessions } from './mockup/recorded-sessions.js';
import { CsdlModel } from './csdl/csdl-model.js';

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  readonly store: EventStore;
  /** The lab's libvirt side, absent when the config has no systems. */
  readonly lab?: LabRuntime;
  /** The long-running loops failing now (what /healthz lists). */
  readonly loops: LoopHealth;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: FastifyBaseLogger;
  /** Lines for the operator: where it listens, what it rebuilt. */
  readonly announce?: (line: string) => void;
  /** How long an Immediate volume request waits for its work before answering 202 (default 2 s). */
  readonly settleWaitMs?: number;
  /** How often the lab compares libvirt with what it should hold (default 10 s). */
  readonly resyncIntervalMs?: number;
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.');
}

/** Wires config, store, projections, HTTP and the lab, and starts listening. Nothing else. */
export async function startEmulator(config: EmulatorConfig, options: StartOptions = {}): Promise<RunningEmulator> {
  const announce = options.announce ?? (() => undefined);
  // The accounts file and the roles are configuration: a mistake in them is found before anything is written.
  const configuredAccounts = readConfiguredAccounts(config);
  // One emulator per store, claimed before the store is opened: one refused writes nothing to it.
  const ownership = claimStoreOwnership(storeFile(config));
  let opened: OpenedStore;
  let heldPort: HeldPort | undefined;
  try {
    // The port is bound before the store is opened: a start that cannot have it writes nothing.
    heldPort = await holdPort(config.listen.address, config.listen.port);
    opened = openConfiguredStore(config);
  } catch (err) {
    await heldPort?.release();
    ownership.release();
    throw err;
  }
  const port = heldPort.port;
  const { store, rebuilt } = opened;
  let handedOver = false;
  try {
    if (rebuilt) announce(`rebuilt ${rebuilt.views} views from ${rebuilt.events} events (the projections changed)`);
    ensureServiceCreated(store);
    const mockup = config.lab.mockup;
    const systems = labSystems(config);
    if (mockup) for (const line of startMockupLab(store, mockup)) announce(line);
    else registerSystems(store, systems);
    const https = tlsFiles(config);
    const refusals = new RefusalRecorder(store, { ...DEFAULT_REFUSAL_LIMITS, ...config.refusedRequests }, (line) =>
      options.logger?.warn(line),
    );
    // Every loop that follows the log or runs on a timer reports here; a failing one says so once, and once when it recovers.
    const loops = new LoopHealth(announce);
    const { app, allowedMethods } = buildRedfishServer({
      views: store.views,
      bodyLimitBytes: config.listen.bodyLimitBytes,
      logger: options.logger,
      // 200 even when degraded: the service still answers and records every request, and a
      // restart would not free the disk or bring libvirt back (see README, Health).
      health: () => {
        const failing = loops.failing();
        return {
          status: failing.length > 0 ? 'degraded' : 'ok',
          loops: failing,
          version: EMULATOR_VERSION,
          lastPosition: store.lastPosition(),
        };
      },
      liveStatus: (path, body) => withLoopFailures(path, body, loops.failing()),
      rewriteUrl: systemAddressRewriter(store.views),
      onRefusal: (request, error) => refusals.record(request, error),
      ...(https && { https }),
    });
    // Accounts: those of the accounts file, recorded with their roles, and those made through the AccountService.
    const fileHashes = recordConfiguredAccounts(store, config, configuredAccounts);
    const directory = new AccountDirectory(store, fileHashes);
    const accounts = new Accounts((user) => directory.passwordHash(user));
    const lockout = new LoginLockout(() => directory.state().lockout);
    const sessions = new SessionStore(
      () => directory.state().sessionTimeoutSeconds ?? config.auth.sessionTimeoutSeconds ?? 1800,
    );
    registerAuth(app, allowedMethods, {
      accounts,
      directory,
      lockout,
      sessions,
      enforce: config.auth.enabled,
      ...(mockup && { recorded: mockupRecordedSessions(store.views) }),
    });
    registerAccountService(app, allowedMethods, store, { directory, lockout, sessions });
    if (mockup) {
      registerMockupRoutes(app, allowedMethods, store, new CsdlModel());
    } else {
      registerResetRoute(app, store);
      registerSystemPatchRoute(app, store);
      registerChassisPatchRoute(app, store);
      registerVirtualMediaRoutes(app, store);
      registerBiosRoutes(app, store);
      registerSecureBootRoute(app, store);
      registerVolumeRoutes(app, store, { settleWaitMs: options.settleWaitMs ?? 2000 });
      registerDriveFaultRoutes(app, store);
      registerDrivePatchRoute(app, store);
    }
    registerTaskMonitorRoute(app, store);
    registerTaskCancelRoutes(app, store);
    registerTimeTravelRoutes(app, store);
    registerEventServiceRoutes(app, allowedMethods, store, new SseHub(store));
    registerHistoryRoutes(app, store);
    registerMarkRoutes(app, store);
    registerScenarioRoutes(app, store, config);
    registerConsoleRoutes(app);
    registerLogEntriesRoute(app, allowedMethods, store);
    // Firmware updates: SimpleUpdate is recorded here; the fetcher fetches its image once the checkpoints are claimed.
    const firmware = new FirmwareFetcher(
      store,
      config.updateService ?? {},
      (line) => options.logger?.warn(line),
      loops,
    );
    if (!mockup) registerUpdateServiceRoutes(app, store, firmware);
    // The service's HTTPS certificate, as found at start and as clients replace it.
    if (https) recordServedCertificate(store, https);
    registerCertificateRoutes(app, store, https && httpsCertificateInstaller(app, config));
    // Before the first request can be accepted: the reconcilers carry out all that is accepted from here.
    claimReconcilerCheckpoints(store);
    // Change notifications (sushy-tools' EXTERNAL_NOTIFICATION_URL) tell of every change accepted from here too.
    const notifications = mockup ? undefined : config.lab.notifications;
    claimNotifierCheckpoint(store, notifications !== undefined);
    const notifier =
      notifications &&
      new ChangeNotifier(store, notifications, notificationTls(notifications), loops, (line) =>
        options.logger?.warn(line),
      );
    // The server listens on the socket bound at the start (the host given is the one bound, so
    // fastify binds no second address beside it), then takes the connections that waited.
    await app.listen({ ...heldPort.listenOptions, host: heldPort.address });
    handedOver = true;
    heldPort.handOver(app.server);
    const host = config.listen.address.includes(':') ? `[${config.listen.address}]` : config.listen.address;
    const url = `${https ? 'https' : 'http'}://${host}:${port}`;
    announce(`serving ${url}/redfish/v1 (store ${storeFile(config)}, ${store.lastPosition()} events)`);
    for (const line of startBanner(config, url, https)) announce(line);
    if (config.auth.enabled && !config.auth.htpasswdFile && !isLoopback(config.listen.address)) {
      announce(
        `WARNING: listening on ${config.listen.address} with the documented default account admin / password: anyone who can reach this address can power your lab's machines. Set auth.htpasswdFile.`,
      );
    }
    if (!config.auth.enabled && !isLoopback(config.listen.address)) {
      announce(`WARNING: listening on ${config.listen.address} with authentication off.`);
    }
    // The lab starts after the service listens: start-up never waits for libvirt.
    const lab =
      !mockup && (systems.length > 0 || (config.lab.adopt ?? []).length > 0)
        ? new LabRuntime(store, config, systems, announce, loops, {
            resyncIntervalMs: options.resyncIntervalMs ?? 10_000,
            retryMs: 5_000,
          })
        : undefined;
    // Push subscriptions are delivered to from the log, beside the requests, never inside one.
    const events = new EventDispatcher(store, { warn: (line) => options.logger?.warn(line), health: loops });
    events.start();
    notifier?.start();
    firmware.start();
    return {
      url,
      store,
      ...(lab && { lab }),
      loops,
      async close() {
        try {
          await lab?.close();
          await events.close();
          await notifier?.close();
          await firmware.close();
          await app.close();
          refusals.close();
          store.db.close();
        } finally {
          // Let go even when a part failed to stop: the store is no longer served.
          ownership.release();
        }
      },
    };
  } catch (err) {
    store.db.close();
    if (!handedOver) await heldPort.release();
    ownership.release();
    throw err;
  }
}
