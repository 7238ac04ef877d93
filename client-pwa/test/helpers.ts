import { account } from '../src/account';
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

/** Log `db`'s user in, as login.ts would, for modules that write to the current account. */
export function signIn(db: WorkroomDb, userId = 'u-test'): void {
  account.set({
    db,
    session: {
      token: 'tok',
      expires_at: '2099-01-01T00:00:00Z',
      user: { id: userId, name: '测试联络员', role: 'liaison', squad_id: 's1' },
      username: 'liaison-test',
      device_id: 'dev-test',
    },
  });
}
