// A value screens can follow. Each state module (account, profile, sync, …) holds its
// own, so a screen subscribes to what it shows rather than to one object holding all.
export type Listener = () => void;

export class Observable<T> {
  private readonly listeners = new Set<Listener>();

  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  /** Replace the value; listeners hear of it only when it actually changed. */
  set(value: T): void {
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const fn of [...this.listeners]) fn();
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }
}
