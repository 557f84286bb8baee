// Types and fetch helpers for the live API (docs/live-api.md). Every URL is relative to the
// page, so the map works wherever the server mounts it; nothing is fetched from anywhere else.
// Every call carries the signed-in user's bearer token (session.ts); a 401 ends the session.

import { authHeaders, expired, session, type AlertAction, type SessionUser } from './session';

export type Affil = 'F' | 'H' | 'S' | 'N' | 'U';
export type ClassName = 'DRONE' | 'BIRD' | 'AIRCRAFT' | 'UNKNOWN';

/** A picture frame: one array per column, rows aligned (`frame` WS message or replay frame). */
/** A column of numbers: a typed array in binary frames (NaN where missing), an array with
 * nulls in JSON ones. */
export type NumColumn = ArrayLike<number | null>;

export interface Frame {
  type?: 'frame';
  run_id: string;
  t: number;
  seq: number;
  wall_ingest?: number;
  wall_sent?: number;
  n: number;
  id: ArrayLike<number>;
  lat: ArrayLike<number>;
  lon: ArrayLike<number>;
  alt: NumColumn;
  speed: NumColumn;
  course: NumColumn;
  climb: NumColumn;
  sigma: NumColumn;
  cls: string[];
  p_drone: NumColumn;
  p_bird: NumColumn;
  p_aircraft: NumColumn;
  p_unknown: NumColumn;
  kind: string[];
  affil: string[];
  prio: NumColumn;
  site: string[];
  tts: NumColumn;
  ident: string[];
  alert: NumColumn;
}

const COLUMNS_MAGIC = 0x31435744; // "DWC1", little-endian
const utf8 = new TextDecoder();
type ColumnSpec = { name: string; dtype: string; offset: number; values?: string[] };
const VIEWS: Record<string, (b: ArrayBuffer, o: number, n: number) => ArrayLike<number>> = {
  f8: (b, o, n) => new Float64Array(b, o, n),
  f4: (b, o, n) => new Float32Array(b, o, n),
  u1: (b, o, n) => new Uint8Array(b, o, n),
  u2: (b, o, n) => new Uint16Array(b, o, n),
  u4: (b, o, n) => new Uint32Array(b, o, n),
};

/** Is this binary WebSocket message a column frame (`/ws?format=columns`)? */
export function isColumnFrame(buf: ArrayBuffer): boolean {
  return buf.byteLength >= 8 && new DataView(buf).getUint32(0, true) === COLUMNS_MAGIC;
}

/** A column frame (layout in src/dronewall/server/columns.py) as a Frame whose number columns
 * are typed-array views on the message — no parsing of the values. Throws on a malformed one. */
export function decodeColumns(buf: ArrayBuffer): Frame {
  const dv = new DataView(buf);
  const length = dv.getUint32(4, true);
  if (8 + length > buf.byteLength) throw new Error('column frame: header runs past the message');
  const header = JSON.parse(utf8.decode(new Uint8Array(buf, 8, length))) as { n: number; columns: ColumnSpec[] } & Record<string, unknown>;
  const n = header.n;
  if (!Number.isInteger(n) || n < 0 || !Array.isArray(header.columns)) throw new Error('column frame: bad header');
  const body = 8 + length;
  const out: Record<string, unknown> = { ...header };
  delete out.columns;
  for (const c of header.columns) {
    const view = VIEWS[c.dtype];
    if (!view || !Number.isInteger(c.offset) || c.offset % 8) throw new Error(`column frame: bad column ${c.name}`);
    const size = n * (c.dtype === 'f8' ? 8 : c.dtype === 'f4' || c.dtype === 'u4' ? 4 : c.dtype === 'u2' ? 2 : 1);
    if (body + c.offset + size > buf.byteLength) throw new Error(`column frame: column ${c.name} runs past the message`);
    const values = view(buf, body + c.offset, n);
    if (c.values) {
      const names = c.values;
      const text = new Array<string>(n);
      for (let i = 0; i < n; i++) text[i] = names[values[i]!] ?? '';
      out[c.name] = text;
    } else {
      out[c.name] = values;
    }
  }
  return out as unknown as Frame;
}

/** An operator's action on an alert: who, when, with what note. */
export interface AlertActionRecord {
  action: string; // acknowledge | engage | clear
  operator: string;
  t: number;
  note: string;
}

export interface Alert {
  alert_id: number;
  track_id: number;
  state: string; // new | acknowledged | engaged | cleared
  site_id: string;
  priority: number;
  time_to_site_s: number | null;
  t_raised: number;
  t_updated: number;
  t_cleared?: number | null;
  reasons: string;
  /** Who did what, oldest first (live alerts; a replay's are rebuilt from the events). */
  actions?: AlertActionRecord[];
}

export interface AlertEvent {
  kind: string;
  t: number;
  alert_id: number | null;
  track_id: number | null;
  site_id: string;
  priority: number;
  state: string | null;
  message: string;
}

export interface Hello {
  type: 'hello';
  run_id: string;
  mode: string;
  t_start: number;
  t: number;
  sites_url?: string;
  sensors_url?: string;
}

export interface RunInfo {
  run_id: string;
  source: string;
  t_start: number;
  t_end: number;
  wall_started?: number;
  frames?: number;
  frame_times?: unknown;
  t_first_frame?: number | null;
  t_last_frame?: number | null;
}

/** `GET /api/tracks/{id}`: every frame column as a scalar, plus reasons and `p` by class. */
export interface TrackDetail {
  [column: string]: unknown;
  class_reasons?: string;
  threat_reasons?: string;
  p?: Record<string, number>;
}

export interface PointFeature {
  type: 'Feature';
  geometry: { type: string; coordinates: number[] };
  properties: Record<string, unknown>;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: PointFeature[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's `detail`, or the status text. */
    readonly detail = message,
  ) {
    super(message);
  }
}

async function errorText(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && 'detail' in body) {
      const d = (body as { detail: unknown }).detail;
      return typeof d === 'string' ? d : JSON.stringify(d);
    }
    return JSON.stringify(body);
  } catch {
    return res.statusText;
  }
}

/** A refused call: 401 (the token is no longer accepted) also ends the session. */
async function failed(res: Response, signedIn = true): Promise<HttpError> {
  const detail = await errorText(res);
  if (res.status === 401 && signedIn) expired(detail);
  return new HttpError(res.status, `${res.status} ${detail}`, detail);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json', ...authHeaders() } });
  if (!res.ok) throw await failed(res);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, signedIn = true): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(signedIn ? authHeaders() : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failed(res, signedIn);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const api = {
  basemap: () => getJson<{ type: string; features: unknown[] }>('api/basemap'),
  sites: () => getJson<FeatureCollection>('api/sites'),
  sensors: () => getJson<FeatureCollection>('api/sensors'),
  feeds: () => getJson<unknown[]>('api/feeds'),
  events: (runId: string, t1: number, signal?: AbortSignal) =>
    getJson<AlertEvent[]>(`api/runs/${encodeURIComponent(runId)}/events?t1=${t1}`, signal),
  runs: () => getJson<RunInfo[]>('api/runs'),
  run: (runId: string) => getJson<RunInfo>(`api/runs/${encodeURIComponent(runId)}`),
  frameAt: (runId: string, t: number, signal?: AbortSignal) =>
    getJson<Frame>(`api/runs/${encodeURIComponent(runId)}/frame?t=${t}`, signal),
  alerts: () => getJson<Alert[]>('api/alerts?include_cleared=false'),
  track: (id: number, signal?: AbortSignal) => getJson<TrackDetail>(`api/tracks/${id}`, signal),
  alertAction: (alertId: number, action: AlertAction) =>
    // The server records the signed-in user; `operator` is only for servers without sign-in.
    postJson<unknown>(`api/alerts/${alertId}/${action}`, { operator: session.user?.name || 'operator', note: '' }),
  /** `POST /api/auth/login`: a token for the user (401: wrong name or password). */
  login: (username: string, password: string) => postJson<LoginAnswer>('api/auth/login', { username, password }, false),
  /** `GET /api/auth/me` with `token` (none: ask as nobody — a server without sign-in answers). */
  me: async (token: string | null): Promise<SessionUser> => {
    const res = await fetch('api/auth/me', {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      cache: 'no-store',
    });
    if (!res.ok) {
      const detail = await errorText(res);
      throw new HttpError(res.status, `${res.status} ${detail}`, detail);
    }
    return (await res.json()) as SessionUser;
  },
};

export interface LoginAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  user: SessionUser;
}

/** The run's time bounds: its first and last recorded frame (`t_first_frame` / `t_last_frame`,
 * or `frame_times` as [min, max] or a list of times) when given, else `t_start` / `t_end`. */
export function runBounds(run: RunInfo): [number, number] {
  const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  let lo = fin(run.t_first_frame) ? run.t_first_frame : run.t_start;
  let hi = fin(run.t_last_frame) ? run.t_last_frame : run.t_end;
  const ft = run.frame_times as unknown;
  const nums = (xs: unknown[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (Array.isArray(ft)) {
    const xs = nums(ft);
    if (xs.length) {
      lo = Math.min(...(xs.length > 2 ? [xs[0]!, xs[xs.length - 1]!] : xs));
      hi = Math.max(...(xs.length > 2 ? [xs[0]!, xs[xs.length - 1]!] : xs));
    }
  } else if (ft && typeof ft === 'object') {
    const o = ft as Record<string, unknown>;
    const a = o.min ?? o.first ?? o.t0 ?? o.start;
    const b = o.max ?? o.last ?? o.t1 ?? o.end;
    if (typeof a === 'number') lo = a;
    if (typeof b === 'number') hi = b;
  }
  if (!fin(lo)) lo = hi;
  if (!fin(hi)) hi = lo;
  return [fin(lo) ? lo : NaN, fin(hi) ? hi : NaN];
}
