import { getJson } from './api.js';

/** One event as the History API lists it; unknown types are shown from these fields alone. */
export interface Entry {
  position: number;
  recordedAt: string;
  stream: string;
  subject: string;
  type: string;
  data: unknown;
  actor: string | null;
  requestId: string | null;
  correlationId: string | null;
  message: { MessageId: string; Message: string } | null;
}

export interface Page {
  Events: Entry[];
  Next: string | null;
}

/** A page of history, with the filters as the History API names them. */
export function historyPage(filters: Record<string, string | number | undefined>): Promise<Page> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters))
    if (value !== undefined && value !== '') query.set(name, String(value));
  return getJson<Page>(`/emulator/v1/History?${query.toString()}`);
}

/** The marks placed, oldest first, each with its position. */
export async function marks(): Promise<{ name: string; position: number; recordedAt: string }[]> {
  const page = await historyPage({ type: 'MarkPlaced', limit: 1000 });
  return page.Events.map((e) => ({
    name: (e.data as { name: string }).name,
    position: e.position,
    recordedAt: e.recordedAt,
  }));
}
