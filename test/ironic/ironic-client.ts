import { IRONIC_API_VERSION } from './ironic-service.js';

export type IronicNode = Record<string, any>;

/**
 * Ironic's REST API as a client drives it: JSON over plain HTTP at microversion 1.80. Plain
 * fetch rather than the `baremetal` CLI: each CLI call would start a Python interpreter (seconds
 * on a loaded two-core machine), and the API's JSON is what the test asserts on anyway.
 */
export function ironicClient(url: string) {
  const request = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'X-OpenStack-Ironic-API-Version': IRONIC_API_VERSION,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const node = (id: string): Promise<IronicNode> => request('GET', `/v1/nodes/${id}`);

  /**
   * Polls the node until `done` holds; fails at once when Ironic reports a failed state (with
   * its last_error), or after `ms` with the node as it last was.
   */
  const waitFor = async (
    id: string,
    what: string,
    done: (node: IronicNode) => boolean,
    ms = 180_000,
  ): Promise<IronicNode> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const current = await node(id);
      if (done(current)) return current;
      if (/fail/.test(String(current['provision_state'])) && !/fail/.test(what)) {
        throw new Error(
          `node ${id} went to ${current['provision_state']} waiting for ${what}: ${current['last_error']}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}: provision_state ${current['provision_state']}, power_state ${current['power_state']}, last_error ${current['last_error']}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  return {
    request,
    node,
    waitFor,
    /** Asks for a provision state change and waits until the node is in `state` with nothing in progress. */
    async provision(id: string, body: Record<string, unknown>, state: string): Promise<IronicNode> {
      await request('PUT', `/v1/nodes/${id}/states/provision`, body);
      return waitFor(id, state, (n) => n['provision_state'] === state && n['target_provision_state'] === null);
    },
    /** Asks for a power state and waits until Ironic has reached it. */
    async power(id: string, target: 'power on' | 'power off' | 'rebooting' | 'soft power off'): Promise<IronicNode> {
      await request('PUT', `/v1/nodes/${id}/states/power`, { target });
      const reached = target === 'power off' || target === 'soft power off' ? 'power off' : 'power on';
      return waitFor(id, reached, (n) => n['power_state'] === reached && n['target_power_state'] === null);
    },
  };
}
