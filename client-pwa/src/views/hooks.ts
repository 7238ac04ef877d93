import { liveQuery } from 'dexie';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { app } from '../controller';

/** Re-render when the controller's state changes (session, sync phase, online). */
export function useApp() {
  const [, bump] = useReducer((n: number, _: undefined) => n + 1, 0);
  useEffect(() => app.subscribe(() => bump(undefined)), []);
  return app;
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
