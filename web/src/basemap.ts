// The static background — land, borders, sensor coverage, site names — drawn with Canvas 2D on a canvas
// under deck.gl's (transparent) canvas, and redrawn only when the view changes.
//
// Why not deck.gl layers: under software WebGL (SwiftShader, as in headless test browsers) every
// deck.gl redraw re-renders every layer, and a GeoJsonLayer's border PathLayer alone costs
// ~800 ms per redraw for Europe's borders (measured), once per data update. Canvas 2D draws the
// same lines in a few milliseconds and only when the map moves.

const TILE = 512; // deck.gl's web-mercator world size at zoom 0, in pixels
const EARTH_CIRCUMFERENCE_M = 40075016.686;

export interface View {
  longitude: number;
  latitude: number;
  zoom: number;
  width: number;
  height: number;
}

/** Metres per CSS pixel along the equator at `zoom` (divide by cos(latitude) elsewhere). */
export function metresPerPixel(zoom: number): number {
  return EARTH_CIRCUMFERENCE_M / (TILE * 2 ** zoom);
}

/** Web-mercator world coordinates at zoom 0 (0..512), as deck.gl's WebMercatorViewport. */
export function mercX(lon: number): number {
  return (TILE * (lon + 180)) / 360;
}
export function mercY(lat: number): number {
  const phi = (Math.max(-85.05113, Math.min(85.05113, lat)) * Math.PI) / 180;
  return (TILE * (Math.PI - Math.log(Math.tan(Math.PI / 4 + phi / 2)))) / (2 * Math.PI);
}

interface Ring {
  xy: Float64Array; // mercator x, y
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}
interface Shape {
  rings: Ring[]; // outer ring(s) and holes of one feature (filled even-odd)
  filled: boolean;
}

interface Label {
  x: number;
  y: number;
  text: string;
}

/** Site names appear from this zoom (about 1:4,000,000 and closer). */
export const LABEL_MIN_ZOOM = 7;
const LABEL_RGB = '255,196,0';
export const SITE_RGB: [number, number, number] = [255, 196, 0];
export const SITE_MIN_PX = 4;
const LABEL_FONT_PX = 12;

interface Circle {
  x: number;
  y: number;
  lat: number;
  radiusM: number;
  rgb: [number, number, number];
  dashed?: boolean;
}

export class BasemapCanvas {
  private readonly canvas: HTMLCanvasElement;
  private shapes: Shape[] = [];
  private circles: Circle[] = [];
  private labels: Label[] = [];
  private sites: Circle[] = [];
  private showCircles = true;
  private last = '';

  constructor(parent: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'basemap';
    this.canvas.setAttribute('aria-hidden', 'true');
    Object.assign(this.canvas.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      width: '100%',
      height: '100%',
      pointerEvents: 'none',
    });
    parent.prepend(this.canvas);
  }

  setGeoJson(geojson: unknown): void {
    const shapes: Shape[] = [];
    const ring = (coords: unknown): Ring | null => {
      if (!Array.isArray(coords) || coords.length < 2) return null;
      const xy = new Float64Array(coords.length * 2);
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      let k = 0;
      for (const c of coords as number[][]) {
        const x = mercX(c[0]!);
        const y = mercY(c[1]!);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        xy[k++] = x;
        xy[k++] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      return k >= 4 ? { xy: xy.subarray(0, k), minX, minY, maxX, maxY } : null;
    };
    const add = (geom: { type?: string; coordinates?: unknown; geometries?: unknown[] } | null | undefined): void => {
      if (!geom) return;
      const c = geom.coordinates as unknown[];
      switch (geom.type) {
        case 'Polygon':
          shapes.push({ rings: (c ?? []).map(ring).filter((r): r is Ring => !!r), filled: true });
          break;
        case 'MultiPolygon':
          shapes.push({ rings: (c ?? []).flatMap((p) => (p as unknown[]).map(ring)).filter((r): r is Ring => !!r), filled: true });
          break;
        case 'LineString':
          shapes.push({ rings: [ring(c)].filter((r): r is Ring => !!r), filled: false });
          break;
        case 'MultiLineString':
          shapes.push({ rings: (c ?? []).map(ring).filter((r): r is Ring => !!r), filled: false });
          break;
        case 'GeometryCollection':
          for (const g of geom.geometries ?? []) add(g as never);
          break;
        default:
          break;
      }
    };
    const g = geojson as { type?: string; features?: { geometry?: unknown }[]; geometry?: unknown };
    if (g?.type === 'FeatureCollection') for (const f of g.features ?? []) add(f.geometry as never);
    else if (g?.type === 'Feature') add(g.geometry as never);
    else add(g as never);
    this.shapes = shapes.filter((s) => s.rings.length);
    this.last = '';
  }

  /** Sensor coverage: a circle of each sensor's maximum range, in its colour; dashed for a
   * sensor whose coverage is in doubt (stale, offline). */
  setCoverage(items: { lon: number; lat: number; radiusM: number; rgb: [number, number, number]; dashed?: boolean }[]): void {
    this.circles = items
      .filter((i) => Number.isFinite(i.lon) && Number.isFinite(i.lat) && i.radiusM > 0)
      .map((i) => ({ x: mercX(i.lon), y: mercY(i.lat), lat: i.lat, radiusM: i.radiusM, rgb: i.rgb, dashed: Boolean(i.dashed) }));
    this.last = '';
  }

  /** Protected sites: a filled circle of each site's radius (at least SITE_MIN_PX). */
  setSites(items: { lon: number; lat: number; radiusM: number }[]): void {
    this.sites = items
      .filter((i) => Number.isFinite(i.lon) && Number.isFinite(i.lat))
      .map((i) => ({ x: mercX(i.lon), y: mercY(i.lat), lat: i.lat, radiusM: i.radiusM, rgb: SITE_RGB }));
    this.last = '';
  }

  /** Names drawn under their points (protected sites) once zoomed in to LABEL_MIN_ZOOM. */
  setLabels(items: { lon: number; lat: number; text: string }[]): void {
    this.labels = items
      .filter((i) => i.text && Number.isFinite(i.lon) && Number.isFinite(i.lat))
      .map((i) => ({ x: mercX(i.lon), y: mercY(i.lat), text: i.text }));
    this.last = '';
  }

  setCoverageVisible(on: boolean): void {
    this.showCircles = on;
    this.last = '';
  }

  /** Redraw for this view if anything changed since the last draw. */
  draw(v: View): void {
    const dpr = window.devicePixelRatio || 1;
    const key = `${v.longitude},${v.latitude},${v.zoom},${v.width},${v.height},${dpr}`;
    if (key === this.last) return;
    this.last = key;
    const c = this.canvas;
    const w = Math.round(v.width * dpr);
    const h = Math.round(v.height * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const scale = 2 ** v.zoom * dpr;
    const cx = mercX(v.longitude);
    const cy = mercY(v.latitude);
    const ox = w / 2 - cx * scale;
    const oy = h / 2 - cy * scale;
    // visible box in mercator units, with a margin
    const x0 = cx - w / 2 / scale - 1 / scale;
    const x1 = cx + w / 2 / scale + 1 / scale;
    const y0 = cy - h / 2 / scale - 1 / scale;
    const y1 = cy + h / 2 / scale + 1 / scale;
    const minStep = 0.75 * dpr; // skip vertices closer than this (device px) to the last one drawn

    const land = new Path2D();
    const lines = new Path2D();
    for (const s of this.shapes) {
      const target = s.filled ? land : lines;
      for (const r of s.rings) {
        if (r.maxX < x0 || r.minX > x1 || r.maxY < y0 || r.minY > y1) continue;
        if ((r.maxX - r.minX) * scale < minStep && (r.maxY - r.minY) * scale < minStep) continue;
        const xy = r.xy;
        let lx = xy[0]! * scale + ox;
        let ly = xy[1]! * scale + oy;
        target.moveTo(lx, ly);
        const n = xy.length;
        for (let i = 2; i < n; i += 2) {
          const px = xy[i]! * scale + ox;
          const py = xy[i + 1]! * scale + oy;
          if (i < n - 2 && Math.abs(px - lx) < minStep && Math.abs(py - ly) < minStep) continue;
          target.lineTo(px, py);
          lx = px;
          ly = py;
        }
        if (s.filled) target.closePath();
      }
    }
    ctx.fillStyle = 'rgb(38,48,58)';
    ctx.fill(land, 'evenodd');
    ctx.lineWidth = 0.8 * dpr;
    ctx.strokeStyle = 'rgb(104,124,142)';
    ctx.lineJoin = 'round';
    ctx.stroke(land);
    ctx.stroke(lines);

    const mPerPx = metresPerPixel(v.zoom) / dpr;
    const frame = { scale, ox, oy, w, h, mPerPx };
    if (this.showCircles) drawCircles(ctx, this.circles, frame, 0.5, 0.07, 0.38, 1 * dpr);
    drawCircles(ctx, this.sites, frame, SITE_MIN_PX * dpr, 0.16, 0.86, 1.5 * dpr);

    if (v.zoom >= LABEL_MIN_ZOOM && this.labels.length) {
      ctx.font = `${LABEL_FONT_PX * dpr}px system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.lineJoin = 'round';
      ctx.lineWidth = 3 * dpr;
      ctx.strokeStyle = 'rgba(0,0,0,0.8)';
      ctx.fillStyle = `rgba(${LABEL_RGB},0.9)`;
      const margin = 200 * dpr;
      for (const l of this.labels) {
        const x = l.x * scale + ox;
        const y = l.y * scale + oy + 10 * dpr;
        if (x < -margin || x > w + margin || y < -margin || y > h + margin) continue;
        ctx.strokeText(l.text, x, y);
        ctx.fillText(l.text, x, y);
      }
    }
  }
}

interface Frame {
  scale: number;
  ox: number;
  oy: number;
  w: number;
  h: number;
  mPerPx: number;
}

/** Fill the union of each colour's circles once (overlaps do not pile up), then outline each. */
function drawCircles(
  ctx: CanvasRenderingContext2D,
  circles: Circle[],
  f: Frame,
  minPx: number,
  fillAlpha: number,
  lineAlpha: number,
  lineWidth: number,
): void {
  const fills = new Map<string, Path2D>();
  for (const k of circles) {
    const r = Math.max(k.radiusM / (f.mPerPx * Math.cos((k.lat * Math.PI) / 180)), minPx);
    const x = k.x * f.scale + f.ox;
    const y = k.y * f.scale + f.oy;
    if (x + r < 0 || x - r > f.w || y + r < 0 || y - r > f.h || r < 0.5) continue;
    const key = `${k.rgb.join(',')}${k.dashed ? '|d' : ''}`;
    let p = fills.get(key);
    if (!p) {
      p = new Path2D();
      fills.set(key, p);
    }
    p.moveTo(x + r, y);
    p.arc(x, y, r, 0, Math.PI * 2);
  }
  ctx.lineWidth = lineWidth;
  for (const [key, p] of fills) {
    const [colour, dashed] = key.split('|');
    ctx.fillStyle = `rgba(${colour},${dashed ? fillAlpha / 2 : fillAlpha})`;
    ctx.fill(p, 'nonzero');
    ctx.strokeStyle = `rgba(${colour},${lineAlpha})`;
    ctx.setLineDash(dashed ? [6 * lineWidth, 4 * lineWidth] : []);
    ctx.stroke(p);
  }
  ctx.setLineDash([]);
}
