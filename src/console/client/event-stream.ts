import { SCRIPT, token } from './api.js';

/**
 * The EventService's SSE stream read with fetch, since EventSource cannot send the session's
 * X-Auth-Token. Calls `onEvent` with each event's log position; reconnects a second after the
 * stream ends, with Last-Event-ID, so nothing is missed. Returns what stops it.
 */
export function followEvents(onEvent: (position: number) => void, onState: (live: boolean) => void): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = {
          Accept: 'text/event-stream',
          'X-Auth-Token': token() ?? '',
          ...SCRIPT,
        };
        if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
        const response = await fetch('/redfish/v1/EventService/SSE', { headers, signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`SSE answered ${response.status}`);
        onState(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: ?(.*)$/m.exec(block)?.[1];
            if (id !== undefined) {
              lastId = id;
              onEvent(Number(id));
            }
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void run();
  return () => abort.abort();
}
