import { META, WorkroomDb, setMeta } from '../src/db';

let counter = 0;

/** A fresh per-test database (fake-indexeddb), already bound to a device id. */
export async function freshDb(device = 'dev-test'): Promise<WorkroomDb> {
  counter += 1;
  const db = new WorkroomDb(`test-${Date.now()}-${counter}`);
  await db.open();
  await setMeta(db, META.deviceId, device);
  return db;
}
