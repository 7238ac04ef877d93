// Who is logged in on this phone. The token is kept so the app starts and works
// offline from the second visit; the device id is kept per username so one user's
// outbox seq never restarts under a device id the server has already seen.
import type { User } from './types';

const SESSION_KEY = 'workroom.session';
const DEVICES_KEY = 'workroom.devices';

export interface Session {
  token: string;
  expires_at: string;
  user: User;
  username: string;
  device_id: string;
}

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(SESSION_KEY);
}

function devices(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(DEVICES_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function knownDeviceId(username: string): string | null {
  return devices()[username] ?? null;
}

export function rememberDevice(username: string, deviceId: string): void {
  localStorage.setItem(DEVICES_KEY, JSON.stringify({ ...devices(), [username]: deviceId }));
}

/** Forget a device id once its database is gone, so a new outbox starts a new seq line. */
export function forgetDevice(username: string): void {
  const map = devices();
  delete map[username];
  localStorage.setItem(DEVICES_KEY, JSON.stringify(map));
}
