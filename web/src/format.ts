// Small display helpers.

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-09-22 18:15:03" (UTC) from POSIX seconds. */
export function utcDateTime(t: number | null | undefined): string {
  if (t == null || !Number.isFinite(t)) return '—';
  const d = new Date(t * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function utcTime(t: number | null | undefined): string {
  if (t == null || !Number.isFinite(t)) return '—';
  const d = new Date(t * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Time to site: "inside", "2 min 05 s", "45 s", "—". */
export function duration(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '—';
  if (s <= 0) return 'inside';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(Math.round(s % 60) % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

export function fixed(v: unknown, digits = 0, unit = ''): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${v.toFixed(digits)}${unit ? ' ' + unit : ''}`;
}

export function prioClass(p: number): string {
  return p >= 75 ? 'p4' : p >= 50 ? 'p3' : p >= 25 ? 'p2' : 'p1';
}

/** 16-point compass name of a course in degrees. */
export function compass(deg: number): string {
  const names = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];
  return names[Math.round((((deg % 360) + 360) % 360) / 22.5) % 16]!;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

/** "RECON_FIXED_WING" -> "recon fixed wing"; "" and "0" -> "". */
export function kindLabel(kind: unknown): string {
  const k = String(kind ?? '');
  return k && k !== '0' ? k.toLowerCase().replace(/_/g, ' ') : '';
}

const SENSOR_BITS: [number, string][] = [
  [1, 'radar'],
  [2, 'RF'],
  [3, 'acoustic'],
  [4, 'EO/IR'],
  [5, 'Remote ID'],
  [6, 'ADS-B'],
];
/** Sensor kinds from the `sensor_kinds` bit mask (bit 1 << SensorKind). */
export function sensorKinds(mask: unknown): string {
  if (typeof mask !== 'number' || !mask) return '—';
  return SENSOR_BITS.filter(([bit]) => mask & (1 << bit)).map(([, name]) => name).join(', ') || '—';
}
