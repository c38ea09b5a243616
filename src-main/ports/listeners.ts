/** A tiny listener set for ports: add returns its own remover; a throwing listener never stops the others. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  constructor(private readonly onError: (err: unknown) => void = (err) => console.error('listener failed', err)) {}

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(...args: A): void {
    for (const listener of [...this.set]) {
      try {
        listener(...args);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
