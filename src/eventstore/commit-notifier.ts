/** Tells in-process listeners the newest committed position after each append commits. */
export class CommitNotifier {
  private readonly listeners = new Set<(position: number) => void>();

  notify(position: number): void {
    for (const listener of this.listeners) listener(position);
  }

  /** Returns the function that stops listening. */
  listen(listener: (position: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
