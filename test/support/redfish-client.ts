import { expect } from 'vitest';

/** The embedded default account, as a client sends it with HTTP Basic. */
export const ADMIN_BASIC = `Basic ${Buffer.from('admin:password').toString('base64')}`;

/**
 * A Redfish client for a test's emulator (whose URL is known once it listens): requests with
 * HTTP Basic and a JSON body, and GETs that must answer 200.
 */
export function redfishClient(baseUrl: () => string, authorization = ADMIN_BASIC) {
  const request = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const get = async (path: string): Promise<Record<string, any>> => {
    const response = await request('GET', path);
    expect(response.status, path).toBe(200);
    return (await response.json()) as Record<string, any>;
  };
  return { request, get };
}
