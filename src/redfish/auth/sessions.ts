import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly userName: string;
  readonly createdAt: string;
  lastUsed: number;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64');

/**
 * Redfish sessions, held in memory like a BMC's: they end on logout, after the idle timeout,
 * or when the emulator restarts (clients log in again on 401). Tokens are kept only as hashes
 * and never logged; they are not mutations of the lab, so they are not events.
 */
export class SessionStore {
  private readonly byTokenHash = new Map<string, Session>();

  /** `timeout`: the idle timeout in seconds as it now is (a client may change it: SessionService PATCH). */
  constructor(
    private readonly timeout: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  get timeoutSeconds(): number {
    return this.timeout();
  }

  create(userName: string): { session: Session; token: string } {
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      id: randomUUID(),
      userName,
      createdAt: new Date(this.now()).toISOString(),
      lastUsed: this.now(),
    };
    this.byTokenHash.set(hashOf(token), session);
    return { session, token };
  }

  /** The live session a token belongs to, refreshing its idle timer. */
  find(token: string): Session | undefined {
    const key = hashOf(token);
    const session = this.byTokenHash.get(key);
    if (!session) return undefined;
    if (this.now() - session.lastUsed > this.timeoutSeconds * 1000) {
      this.byTokenHash.delete(key);
      return undefined;
    }
    session.lastUsed = this.now();
    return session;
  }

  list(): Session[] {
    this.expire();
    return [...this.byTokenHash.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): Session | undefined {
    return this.list().find((s) => s.id === id);
  }

  delete(id: string): boolean {
    for (const [key, session] of this.byTokenHash) {
      if (session.id === id) return this.byTokenHash.delete(key);
    }
    return false;
  }

  /** Ends every session of an account: it was deleted or disabled. */
  endSessionsOf(userName: string): void {
    for (const [key, session] of this.byTokenHash) {
      if (session.userName === userName) this.byTokenHash.delete(key);
    }
  }

  private expire(): void {
    for (const [key, session] of this.byTokenHash) {
      if (this.now() - session.lastUsed > this.timeoutSeconds * 1000) this.byTokenHash.delete(key);
    }
  }
}
