// Map extents to fit: around the sensors (with their range, capped) or the protected sites.

import type { SiteCollection } from './api';
import type { SensorRow } from './sensors';

export type Bounds = [[number, number], [number, number]];

const CAP_M = 30000; // a far-reaching radar should not zoom the map out to half a continent

export function sensorBounds(rows: SensorRow[]): Bounds | null {
  return boundsOf(rows.filter((r) => r.lon !== null && r.lat !== null).map((r) => [r.lon!, r.lat!, r.maxRangeM ?? 0]));
}

export function siteBounds(sites: SiteCollection): Bounds | null {
  return boundsOf((sites.features ?? []).map((f) => [f.geometry.coordinates[0]!, f.geometry.coordinates[1]!, f.properties.radius_m]));
}

/** The box around points `[lon, lat, range_m]`, each widened by its range up to CAP_M. */
export function boundsOf(points: [number, number, number][]): Bounds | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [lon, lat, range] of points) {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const r = Math.min(Number(range) || 0, CAP_M);
    const dLat = r / 111320;
    const dLon = r / (111320 * Math.max(Math.cos((lat * Math.PI) / 180), 0.1));
    w = Math.min(w, lon - dLon);
    e = Math.max(e, lon + dLon);
    s = Math.min(s, lat - dLat);
    n = Math.max(n, lat + dLat);
  }
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}
