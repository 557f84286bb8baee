// Types and fetch helpers for the live API (docs/live-api.md). Every URL is relative to the
// page, so the map works wherever the server mounts it; nothing is fetched from anywhere else.

export type Affil = 'F' | 'H' | 'S' | 'N' | 'U';
export type ClassName = 'DRONE' | 'BIRD' | 'AIRCRAFT' | 'UNKNOWN';

/** A picture frame: one array per column, rows aligned (`frame` WS message or replay frame). */
export interface Frame {
  type?: 'frame';
  run_id: string;
  t: number;
  seq: number;
  wall_ingest?: number;
  wall_sent?: number;
  n: number;
  id: number[];
  lat: number[];
  lon: number[];
  alt: (number | null)[];
  speed: (number | null)[];
  course: (number | null)[];
  climb: (number | null)[];
  sigma: (number | null)[];
  cls: string[];
  p_drone: (number | null)[];
  p_bird: (number | null)[];
  p_aircraft: (number | null)[];
  p_unknown: (number | null)[];
  kind: string[];
  affil: string[];
  prio: (number | null)[];
  site: string[];
  tts: (number | null)[];
  ident: string[];
  alert: (number | null)[];
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
  reasons: string;
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

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new HttpError(res.status, `${res.status} ${await errorText(res)}`);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new HttpError(res.status, `${res.status} ${await errorText(res)}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const api = {
  basemap: () => getJson<{ type: string; features: unknown[] }>('api/basemap'),
  sites: () => getJson<FeatureCollection>('api/sites'),
  sensors: () => getJson<FeatureCollection>('api/sensors'),
  runs: () => getJson<RunInfo[]>('api/runs'),
  run: (runId: string) => getJson<RunInfo>(`api/runs/${encodeURIComponent(runId)}`),
  frameAt: (runId: string, t: number, signal?: AbortSignal) =>
    getJson<Frame>(`api/runs/${encodeURIComponent(runId)}/frame?t=${t}`, signal),
  alerts: () => getJson<Alert[]>('api/alerts?include_cleared=false'),
  track: (id: number, signal?: AbortSignal) => getJson<TrackDetail>(`api/tracks/${id}`, signal),
  alertAction: (alertId: number, action: 'acknowledge' | 'engage' | 'clear') =>
    postJson<unknown>(`api/alerts/${alertId}/${action}`, { operator: 'operator', note: '' }),
};

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
