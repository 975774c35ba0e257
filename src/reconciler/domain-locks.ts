import { domainKeyOf, type LabSystem } from '../lab/lab-systems.js';

/**
 * One change at a time to each domain's definition, across the reconcilers. Several changes
 * read the whole definition, change it and define it again (boot order, firmware, BIOS settings,
 * the HTTP boot drive): run beside a volume's attach to the same domain, the one defined last
 * would drop what the other added (a volume's disk gone from the definition, found by npm run
 * soak). Different domains do not wait for each other.
 */
export class DomainLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `change` once every change to the system's domain asked for before it has finished. */
  async exclusive<T>(system: LabSystem, change: () => Promise<T>): Promise<T> {
    const key = domainKeyOf(system);
    const run = (this.tails.get(key) ?? Promise.resolve()).then(change);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
