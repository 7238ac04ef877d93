// Thin fetch wrappers for /api/v1. Every failure becomes an ApiFailure with the
// protocol's stable error code, so callers branch on codes, not on message text.
import type {
  ApiError, Community, ConflictEntry, Mutation, PullResponse, PushResponse, SchemaExport, User,
} from './types';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The server's Retry-After (429, 503), when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** 401: never retried; the user must log in again (the outbox is kept). */
  get isAuth(): boolean {
    return this.status === 401;
  }
}

/** Retry-After in delta-seconds or as an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface LoginResponse {
  token: string;
  expires_at: string;
  user: User;
}

export class Api {
  constructor(
    private readonly fetchFn: FetchFn,
    private token: string | null = null,
    private readonly base = '/api/v1',
  ) {}

  setToken(token: string | null): void {
    this.token = token;
  }

  private async call<T>(method: string, path: string, body?: unknown, raw?: Blob, contentType?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (raw) {
      payload = raw;
      headers['Content-Type'] = contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { method, headers, body: payload, cache: 'no-store' });
    } catch (err) {
      throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (res.status === 204) return undefined as T;
    let data: unknown = null;
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const e = (data as { error?: ApiError } | null)?.error;
      throw new ApiFailure(
        res.status,
        e?.code ?? `http_${res.status}`,
        e?.message ?? res.statusText,
        e?.field,
        retryAfterMs(res.headers.get('Retry-After')),
      );
    }
    return data as T;
  }

  login(body: { username: string; password: string; device_id: string; device_name?: string }): Promise<LoginResponse> {
    return this.call('POST', '/auth/login', body);
  }

  logout(): Promise<void> {
    return this.call('POST', '/auth/logout');
  }

  me(): Promise<{ user: User; communities: Community[] }> {
    return this.call('GET', '/me');
  }

  schema(): Promise<SchemaExport> {
    return this.call('GET', '/schema');
  }

  push(body: { device_time: number; app_version: string; mutations: Mutation[] }): Promise<PushResponse> {
    return this.call('POST', '/sync/push', body);
  }

  pull(cursor: string | null, limit: number): Promise<PullResponse> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return this.call('GET', `/sync/pull?${q.toString()}`);
  }

  missingBlobs(hashes: string[]): Promise<{ missing: string[] }> {
    return this.call('POST', '/blobs/missing', { hashes });
  }

  putBlob(sha256: string, blob: Blob, mediaType: string): Promise<void> {
    return this.call('PUT', `/blobs/${sha256}`, undefined, blob, mediaType);
  }

  /** A photo someone else took, for showing; binary, so not through call(). */
  async getBlob(sha256: string): Promise<Blob> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/blobs/${sha256}`, {
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
      });
    } catch (err) {
      throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw new ApiFailure(res.status, `http_${res.status}`, res.statusText);
    return res.blob();
  }

  conflicts(): Promise<{ conflicts: ConflictEntry[] }> {
    return this.call('GET', '/conflicts');
  }
}
