import { hash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../config/load-config.js';

/** The accounts file cannot be used; the message names the file and line. */
export class AccountsFileError extends ConfigError {}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** user → bcrypt hash, from an htpasswd file (`htpasswd -B`); other hash kinds are refused. */
export function readHtpasswd(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AccountsFileError(`cannot read the accounts file ${file}: ${(err as Error).message}`);
  }
  const accounts = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1).trim();
    if (colon <= 0 || !BCRYPT.test(hash)) {
      throw new AccountsFileError(`${file} line ${i + 1}: expected user:bcrypt-hash (make one with htpasswd -B)`);
    }
    accounts.set(user, hash);
  });
  return accounts;
}

/**
 * Checks user names and passwords against the bcrypt hash `hashOf` gives (none for an unknown or
 * disabled account). bcrypt is slow on purpose, so a credential that verified is remembered for a
 * short while, in memory only, as an HMAC under a key that lives and dies with this process: Basic
 * auth then costs a hash per request, not a bcrypt. What is remembered holds only while the
 * account's hash is the one it verified against: a changed password, a disabled or deleted
 * account is checked again at once.
 */
export class Accounts {
  private readonly key = randomBytes(32).toString('base64');
  private readonly verified = new Map<string, { until: number; hash: string }>();

  constructor(
    private readonly hashOf: (user: string) => string | undefined,
    private readonly rememberMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A keyed hash: the secret key first, so nobody without it can compute one. One-shot, as it runs on every Basic request. */
  private fingerprint(user: string, password: string): string {
    return hash('sha256', `${this.key}\0${user.length}\0${user}\0${password}`, 'base64');
  }

  async verify(user: string, password: string): Promise<boolean> {
    const fingerprint = this.fingerprint(user, password);
    const hash = this.hashOf(user);
    const remembered = this.verified.get(fingerprint);
    if (remembered !== undefined && remembered.until > this.now() && remembered.hash === hash) return true;
    // Compare against a hash even for unknown users, so timing does not tell which exist.
    const ok = await bcrypt.compare(password, hash ?? '$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva');
    if (ok && hash) {
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.set(fingerprint, { until: this.now() + this.rememberMs, hash });
      return true;
    }
    return false;
  }
}
