// Map extents to fit: around the sensors (with their range, capped) or the protected sites.

import type { PointFeature } from './api';
import type { SensorRow } from './sensors';

export type Bounds = [[number, number], [number, number]];

export function sensorBounds(rows: SensorRow[]): Bounds | null {
  const features = rows
    .filter((r) => r.lon !== null && r.lat !== null)
    .map((r) => ({ type: 'Feature' as const, geometry: { type: 'Point', coordinates: [r.lon!, r.lat!] }, properties: { max_range_m: r.maxRangeM ?? 0 } }));
  return boundsOf(features, 'max_range_m', 30000);
}

export function boundsOf(features: PointFeature[], rangeKey: string | null, capM: number): Bounds | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const r = rangeKey ? Math.min(Number(f.properties[rangeKey]) || 0, capM) : 0;
    const dLat = r / 111320;
    const dLon = r / (111320 * Math.max(Math.cos((lat * Math.PI) / 180), 0.1));
    w = Math.min(w, lon - dLon);
    e = Math.max(e, lon + dLon);
    s = Math.min(s, lat - dLat);
    n = Math.max(n, lat + dLat);
  }
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}
