// Types and fetch helpers for the live API (docs/live-api.md). Every URL is relative to the
// page, so the map works wherever the server mounts it; nothing is fetched from anywhere else.
// Every call carries the signed-in user's bearer token (session.ts); a 401 ends the session.

import type * as S from './generated/api';
import type { paths } from './generated/api';
import { authHeaders, expired, session, type AlertAction } from './session';

export type Affil = 'F' | 'H' | 'S' | 'N' | 'U';
export type ClassName = 'DRONE' | 'BIRD' | 'AIRCRAFT' | 'UNKNOWN';

// The server's payloads, generated from its /openapi.json into generated/api.d.ts (`npm run
// gen:api`; docs/live-api.md, "API contract"): a field the server renames or drops fails
// `tsc --noEmit`, and so `make web`.
export type Alert = S.Alert;
export type AlertActionRecord = S.AlertAction;
export type AlertEvent = S.AlertEvent;
export type Hello = S.WsHello;
export type RunInfo = S.RunInfo;
export type RunDetail = S.RunDetail;
export type TrackDetail = S.TrackDetail;
export type SiteCollection = S.SiteCollection;
export type SensorCollection = S.SensorCollection;
export type FeedStatus = S.FeedStatus;
export type User = S.User;
/** One entry of the audit trail (`GET /api/alerts/{alert_id}/audit`). */
export type AuditEntry = S.AuditEntry;
/** A frame as JSON (`GET /api/runs/{id}/frame`, `frame` WebSocket messages). */
export type JsonFrame = S.Frame;

/** A column of numbers: a typed array in binary frames (NaN where missing), an array with
 * nulls in JSON ones. */
export type NumColumn = ArrayLike<number | null>;

/** A picture frame as the map holds it: the server's `Frame` columns, one array per column,
 * rows aligned — typed-array views on a binary (DWC1) message, or a JSON frame's arrays. */
export interface Frame {
  type?: 'frame';
  run_id: string;
  /** Data time (POSIX s); NaN when the server has none. */
  t: number;
  seq: number;
  wall_ingest?: number | null;
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
  cls: S.Frame['cls'];
  p_drone: NumColumn;
  p_bird: NumColumn;
  p_aircraft: NumColumn;
  p_unknown: NumColumn;
  kind: S.Frame['kind'];
  affil: S.Frame['affil'];
  prio: NumColumn;
  site: S.Frame['site'];
  tts: NumColumn;
  ident: S.Frame['ident'];
  alert: NumColumn;
}

type Assert<T extends true> = T;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
/** Compiles only while the map's Frame has exactly the server's frame columns and fields. */
export type FrameMatchesServer = Assert<SameKeys<Required<Frame>, S.Frame>>;

const COLUMNS_MAGIC = 0x31435744; // "DWC1", little-endian
const utf8 = new TextDecoder();
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
  const header = JSON.parse(utf8.decode(new Uint8Array(buf, 8, length))) as S.ColumnFrameHeader;
  const n = header.n;
  if (!Number.isInteger(n) || n < 0 || !Array.isArray(header.columns)) throw new Error('column frame: bad header');
  const body = 8 + length;
  const out: Record<string, unknown> = { ...header, t: header.t ?? NaN };
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
async function failed(res: Response, signedIn: boolean, token: string | null): Promise<HttpError> {
  const detail = await errorText(res);
  if (res.status === 401 && signedIn) expired(detail, token);
  return new HttpError(res.status, `${res.status} ${detail}`, detail);
}

// ---- the typed client: URL templates and answers are the server's (generated `paths`)

type Method = 'get' | 'post';
/** The routes with `method`, as /openapi.json spells them ("/api/runs/{run_id}/frame"). */
type Route<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
type Op<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
/** The 200 answer's JSON. */
export type Answer<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
type PathArgs<O> = O extends { parameters: { path: infer A } } ? A : Record<string, never>;
type QueryArgs<O> = O extends { parameters: { query?: infer Q } } ? Q : Record<string, never>;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
interface Args<O> {
  path?: PathArgs<O>;
  query?: QueryArgs<O>;
  signal?: AbortSignal;
}

/** The page-relative URL of `route` with its path parameters and query filled in. */
export function url(route: string, path?: unknown, query?: unknown): string {
  const params = (path ?? {}) as Record<string, string | number>;
  let u = route.replace(/\{(\w+)\}/g, (_, k: string) => {
    if (params[k] === undefined) throw new Error(`${route}: no value for {${k}}`);
    return encodeURIComponent(String(params[k]));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) q.set(k, String(v));
  if (q.size) u += `?${q}`;
  return u.replace(/^\//, ''); // relative to the page: the map works under a path prefix
}

/** `GET route` signed in; the answer typed as the server declares it. */
export async function get<P extends Route<'get'>>(route: P, args: Args<Op<P, 'get'>> = {}): Promise<Answer<Op<P, 'get'>>> {
  const token = session.token;
  const res = await fetch(url(route, args.path, args.query), {
    signal: args.signal,
    headers: { accept: 'application/json', ...authHeaders(token) },
  });
  if (!res.ok) throw await failed(res, true, token);
  return (await res.json()) as Answer<Op<P, 'get'>>;
}

/** `POST route` with `body` (signed in unless `signedIn` is false). */
export async function post<P extends Route<'post'>>(
  route: P,
  body: Body<Op<P, 'post'>>,
  args: Args<Op<P, 'post'>> = {},
  signedIn = true,
): Promise<Answer<Op<P, 'post'>>> {
  const token = session.token;
  const res = await fetch(url(route, args.path, args.query), {
    method: 'POST',
    signal: args.signal,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(signedIn ? authHeaders(token) : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failed(res, signedIn, token);
  return (await res.json()) as Answer<Op<P, 'post'>>;
}

export const api = {
  basemap: () => get('/api/basemap'),
  sites: () => get('/api/sites'),
  sensors: () => get('/api/sensors'),
  feeds: () => get('/api/feeds'),
  events: (runId: string, t1: number, signal?: AbortSignal) => get('/api/runs/{run_id}/events', { path: { run_id: runId }, query: { t1 }, signal }),
  runs: () => get('/api/runs'),
  run: (runId: string) => get('/api/runs/{run_id}', { path: { run_id: runId } }),
  frameAt: (runId: string, t: number, signal?: AbortSignal) => get('/api/runs/{run_id}/frame', { path: { run_id: runId }, query: { t }, signal }),
  alerts: () => get('/api/alerts', { query: { include_cleared: false } }),
  /** Who did what on an alert, oldest first (the audit trail; 404 on a server without one). */
  alertAudit: (alertId: number, signal?: AbortSignal) => get('/api/alerts/{alert_id}/audit', { path: { alert_id: alertId }, signal }),
  track: (id: number, signal?: AbortSignal) => get('/api/tracks/{track_id}', { path: { track_id: id }, signal }),
  alertAction: (alertId: number, action: AlertAction) =>
    // The server records the signed-in user; `operator` is only for servers without sign-in.
    post('/api/alerts/{alert_id}/{action}', { operator: session.user?.name || 'operator', note: '' }, { path: { alert_id: alertId, action } }),
  /** `POST /api/auth/login`: a token for the user (401: wrong name or password). */
  login: (username: string, password: string) => post('/api/auth/login', { username, password }, {}, false),
  /** `GET /api/auth/me` with `token` (none: ask as nobody — a server without sign-in answers). */
  me: async (token: string | null): Promise<User> => {
    const res = await fetch(url('/api/auth/me'), {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      cache: 'no-store',
    });
    if (!res.ok) {
      const detail = await errorText(res);
      throw new HttpError(res.status, `${res.status} ${detail}`, detail);
    }
    return (await res.json()) as Answer<Op<'/api/auth/me', 'get'>>;
  },
};

/** The run's time bounds: its first and last recorded frame when it has frames, else its
 * start and end (NaN where unknown). */
export function runBounds(run: RunDetail): [number, number] {
  const fin = (x: number | null): x is number => x !== null && Number.isFinite(x);
  let lo = fin(run.t_first_frame) ? run.t_first_frame : run.t_start;
  let hi = fin(run.t_last_frame) ? run.t_last_frame : run.t_end;
  if (!fin(lo)) lo = hi;
  if (!fin(hi)) hi = lo;
  return [fin(lo) ? lo : NaN, fin(hi) ? hi : NaN];
}
