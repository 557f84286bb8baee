// Sensors and feeds as the map holds them (docs/live-api.md, `GET /api/sensors` and
// `GET /api/feeds`): plain rows built from the GeoJSON, problem sensors first. Pure: no DOM.
//
// With live feeds every sensor has a health `state`; a simulated scenario's sensors have none
// and count as `ok`. A sensor whose position is not known yet has a null geometry: it is
// listed, not drawn.

import type { FeedStatus, SensorCollection } from './api';

export type SensorState = 'ok' | 'stale' | 'offline' | 'fault' | 'waiting';
export const SENSOR_STATES: readonly SensorState[] = ['ok', 'stale', 'offline', 'fault', 'waiting'];

/** What each state means to the operator (panel, tooltip and legend). */
export const STATE_LABEL: Record<SensorState, string> = {
  ok: 'reporting',
  stale: 'stale: silent too long',
  offline: 'offline',
  fault: 'fault: its status reports a problem',
  waiting: 'waiting: declared, never heard',
};

export interface SensorRow {
  id: string; // sensor_id ("feed:key", or the scenario's id)
  name: string;
  kind: string; // RADAR, RF, ACOUSTIC, EOIR, REMOTE_ID, ADSB
  nation: string;
  vendor: string;
  feed: string;
  lon: number | null;
  lat: number | null;
  altM: number | null;
  maxRangeM: number | null;
  state: SensorState;
  /** Seconds since the last report, at the server's time of the snapshot (null: never). */
  reportAgeS: number | null;
  silentS: number | null;
  reports: number | null;
  rateHz: number | null;
  rejects: number | null;
  status: string;
  /** Whether the row carries live health (a feed's sensor) or only geometry (a scenario's). */
  live: boolean;
}

export interface FeedRow {
  name: string;
  url: string;
  format: string;
  connection: string;
  messages: number;
  reports: number;
  bytes: number;
  rejects: Record<string, number>;
  lastReject: string;
  silentS: number | null;
  reconnects: number;
}

const fin = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (v == null ? '' : String(v));

/** Stale, offline and fault sensors need the operator's eye. */
export function isProblem(s: SensorState): boolean {
  return s === 'stale' || s === 'offline' || s === 'fault';
}

function toState(v: unknown): SensorState {
  const s = str(v).toLowerCase();
  return (SENSOR_STATES as readonly string[]).includes(s) ? (s as SensorState) : 'ok';
}

/** Rows from `GET /api/sensors` (features with a null geometry included). */
export function sensorRows(fc: SensorCollection | null | undefined): SensorRow[] {
  const rows: SensorRow[] = [];
  for (const f of fc?.features ?? []) {
    const p = f.properties;
    const point = f.geometry?.type === 'Point' ? f.geometry.coordinates : null;
    const lon = fin(point?.[0]) ?? fin(p.lon_deg);
    const lat = fin(point?.[1]) ?? fin(p.lat_deg);
    const lastHeard = fin(p.last_heard_s);
    const silent = fin(p.silent_s);
    const lastReport = fin(p.last_report_s);
    // The server's clock at the snapshot: no dependence on the browser's clock.
    const serverNow = lastHeard !== null && silent !== null ? lastHeard + silent : null;
    const id = str(p.sensor_id) || `${str(p.feed)}:${str(p.key)}`;
    rows.push({
      id,
      name: str(p.name) || str(p.key) || id,
      kind: str(p.kind).toUpperCase(),
      nation: str(p.nation),
      vendor: str(p.vendor),
      feed: str(p.feed),
      lon,
      lat,
      altM: fin(p.alt_m),
      maxRangeM: fin(p.max_range_m),
      state: toState(p.state),
      reportAgeS: serverNow !== null && lastReport !== null ? Math.max(0, serverNow - lastReport) : null,
      silentS: silent,
      reports: fin(p.reports),
      rateHz: fin(p.rate_hz),
      rejects: fin(p.rejects),
      status: str(p.status),
      live: 'state' in p,
    });
  }
  return rows;
}

/** Rows from `GET /api/feeds`. */
export function feedRows(list: FeedStatus[] | null | undefined): FeedRow[] {
  if (!Array.isArray(list)) return [];
  return list.map((d) => {
    const rejects: Record<string, number> = {};
    for (const [k, v] of Object.entries(d.rejects ?? {})) if (fin(v) !== null) rejects[k] = v;
    return {
      name: str(d.name),
      url: str(d.url),
      format: str(d.format),
      connection: str(d.connection) || 'unknown',
      messages: fin(d.messages) ?? 0,
      reports: fin(d.reports) ?? 0,
      bytes: fin(d.bytes) ?? 0,
      rejects,
      lastReject: str(d.last_reject),
      silentS: fin(d.silent_s),
      reconnects: fin(d.reconnects) ?? 0,
    };
  });
}

export function rejectTotal(f: FeedRow): number {
  return Object.values(f.rejects).reduce((a, b) => a + b, 0);
}

const STATE_ORDER: Record<SensorState, number> = { offline: 0, stale: 1, fault: 2, waiting: 3, ok: 4 };

/** Problem sensors first (offline, stale, fault), then waiting, then ok; by name within. */
export function sortSensors(rows: SensorRow[]): SensorRow[] {
  return [...rows].sort(
    (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** "4 s", "3 min 05 s", "2 h 10 min", "—". */
export function age(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "1.0/s", "0.25/s", "—". */
export function rate(hz: number | null): string {
  if (hz === null) return '—';
  return `${hz >= 10 ? hz.toFixed(0) : hz >= 1 ? hz.toFixed(1) : hz.toFixed(2)}/s`;
}

/** A change signature of what the map draws (position, range, kind, state per sensor). */
export function drawSignature(rows: SensorRow[]): string {
  return rows.map((r) => `${r.id}|${r.lon}|${r.lat}|${r.maxRangeM}|${r.kind}|${r.state}`).join(';');
}

/** A sensor kind as the operator reads it. */
export function kindName(kind: string): string {
  switch (kind) {
    case 'RADAR':
      return 'radar';
    case 'RF':
      return 'RF';
    case 'ACOUSTIC':
      return 'acoustic';
    case 'EOIR':
      return 'EO/IR';
    case 'REMOTE_ID':
      return 'Remote ID';
    case 'ADSB':
      return 'ADS-B';
    default:
      return kind.toLowerCase() || 'sensor';
  }
}
