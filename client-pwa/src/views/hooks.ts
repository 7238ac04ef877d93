import { liveQuery } from 'dexie';
import { useEffect, useReducer, useState } from 'preact/hooks';
import type { Observable } from '../observable';

/** The current value of a state module's observable; re-renders when it changes. */
export function useValue<T>(source: Observable<T>): T {
  const [, bump] = useReducer((n: number, _: undefined) => n + 1, 0);
  const shown = source.get();
  useEffect(() => {
    const unsubscribe = source.subscribe(() => bump(undefined));
    // A change between this render and the subscription would otherwise be missed.
    if (source.get() !== shown) bump(undefined);
    return unsubscribe;
  }, [source]);
  return shown;
}

/** A Dexie live query: screens follow IndexedDB without polling. */
export function useLive<T>(query: () => Promise<T>, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const sub = liveQuery(query).subscribe({ next: setValue, error: (e) => console.error(e) });
    return () => sub.unsubscribe();
  }, deps);
  return value;
}

/** Re-render every `ms` (running visit timers). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
