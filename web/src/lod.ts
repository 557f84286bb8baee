// Level of detail: which tracks get a symbol, and the line segments (trails and heading
// leaders) drawn with them, for the current view.
//
// Under software WebGL every symbol costs ~15–40 µs of GPU time per redraw, so 10,000 symbols,
// most of them overlapping at country scale, would stall the browser for ~0.5 s at every
// update. Tracks outside the view are skipped, and when more than DECLUTTER_ABOVE tracks are in
// view a screen grid keeps one symbol per cell, most important first (alerted, then hostile /
// suspect drones, other drones and unknowns, aircraft, birds last). Alerted tracks and the
// selected track are always drawn; hostile and suspect drones come first in the grid but share
// its cells and the cap (a raid of thousands would otherwise pile thousands of symbols on one
// spot). Zooming in shows the rest; the status line says how many are not drawn.

import { mercX, mercY } from './basemap';
import type { Frame } from './api';
import { AFFIL_RGB } from './symbols';
import { SegmentBuffer, TRAIL_LEN, type FrameArrays, type Trails } from './tracks';

export interface LodView {
  longitude: number;
  latitude: number;
  zoom: number;
  width: number;
  height: number;
}

export interface LodOptions {
  declutterAbove: number; // draw every track in view up to this many
  cellPx: number; // declutter grid cell
  maxSymbols: number; // hard cap (lowest importance dropped first)
  segmentBudget: number; // trail segments in total
  trails: boolean;
  selectedRow: number | null;
}

export const DEFAULT_LOD: Omit<LodOptions, 'trails' | 'selectedRow'> = {
  declutterAbove: 1500,
  cellPx: 14,
  maxSymbols: 4000,
  segmentBudget: 6000,
};

export interface LodResult {
  rows: Uint32Array; // drawn rows, least important first (the most important on top)
  positions: Float64Array; // lon, lat of each drawn row
  icons: Uint8Array; // icon index of each drawn row
  inView: number; // tracks inside the view (drawn or not)
  lines: { length: number; src: Float64Array; dst: Float64Array; colors: Uint8Array };
}

const TILE = 512;

export class TrackLod {
  private buckets: Uint32Array[] = [0, 1, 2, 3, 4, 5].map(() => new Uint32Array(0));
  private counts = new Int32Array(6);
  private grid = new Uint8Array(0);
  private rows = new Uint32Array(0);
  private positions = new Float64Array(0);
  private icons = new Uint8Array(0);
  private seg = new SegmentBuffer();

  compute(f: Frame, a: FrameArrays, trails: Trails | null, v: LodView, o: LodOptions): LodResult {
    const n = a.n;
    const scale = 2 ** v.zoom;
    const cx = mercX(v.longitude);
    const cy = mercY(v.latitude);
    const halfW = v.width / 2;
    const halfH = v.height / 2;
    const margin = 24;
    for (let b = 0; b < 6; b++) {
      if (this.buckets[b]!.length < n) this.buckets[b] = new Uint32Array(Math.ceil(n * 1.25) + 16);
    }
    const counts = this.counts;
    counts.fill(0);
    const pos = a.positions;
    const imp = a.importance;
    // 1. rows in view, by importance
    const sx = new Float32Array(n);
    const sy = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = (mercX(pos[i * 2]!) - cx) * scale + halfW;
      const y = (mercY(pos[i * 2 + 1]!) - cy) * scale + halfH;
      sx[i] = x;
      sy[i] = y;
      const selected = i === o.selectedRow;
      if (!selected && (x < -margin || x > v.width + margin || y < -margin || y > v.height + margin)) continue;
      const b = selected ? 5 : imp[i]!;
      this.buckets[b]![counts[b]!++] = i;
    }
    let inView = 0;
    for (let b = 0; b < 6; b++) inView += counts[b]!;

    // 2. declutter
    if (this.rows.length < inView) this.rows = new Uint32Array(Math.ceil(inView * 1.25) + 16);
    const out = this.rows;
    let drawn = 0;
    if (inView <= o.declutterAbove) {
      for (let b = 0; b < 6; b++) {
        const bucket = this.buckets[b]!;
        for (let k = 0; k < counts[b]!; k++) out[drawn++] = bucket[k]!;
      }
    } else {
      const cell = o.cellPx;
      const gw = Math.ceil((v.width + 2 * margin) / cell) + 1;
      const gh = Math.ceil((v.height + 2 * margin) / cell) + 1;
      if (this.grid.length < gw * gh) this.grid = new Uint8Array(gw * gh);
      const grid = this.grid;
      grid.fill(0, 0, gw * gh);
      // keep the most important first, then write them out least important first
      const kept: number[][] = [[], [], [], [], [], []];
      let total = 0;
      for (let b = 5; b >= 0; b--) {
        const bucket = this.buckets[b]!;
        const always = b >= 5;
        for (let k = 0; k < counts[b]!; k++) {
          const i = bucket[k]!;
          const gx = Math.floor((sx[i]! + margin) / cell);
          const gy = Math.floor((sy[i]! + margin) / cell);
          const g = gy * gw + gx;
          const free = gx >= 0 && gy >= 0 && gx < gw && gy < gh && !grid[g];
          if (always || (free && total < o.maxSymbols)) {
            if (gx >= 0 && gy >= 0 && gx < gw && gy < gh) grid[g] = 1;
            kept[b]!.push(i);
            total++;
          }
        }
      }
      for (let b = 0; b < 6; b++) for (const i of kept[b]!) out[drawn++] = i;
    }
    const rows = out.subarray(0, drawn);

    // 3. per drawn row: position, icon
    if (this.icons.length < drawn) {
      this.positions = new Float64Array(Math.ceil(drawn * 1.25) * 2 + 32);
      this.icons = new Uint8Array(Math.ceil(drawn * 1.25) + 16);
    }
    const P = this.positions;
    const I = this.icons;
    for (let k = 0; k < drawn; k++) {
      const i = rows[k]!;
      P[k * 2] = pos[i * 2]!;
      P[k * 2 + 1] = pos[i * 2 + 1]!;
      I[k] = a.icons[i]!;
    }

    // 4. line segments: heading leaders, then trails (decimated to the budget)
    const seg = this.seg;
    let m = 0;
    const dense = drawn > o.declutterAbove;
    const degPerPx = 360 / (TILE * scale);
    for (let k = 0; k < drawn; k++) {
      const i = rows[k]!;
      const speed = f.speed[i];
      const course = f.course[i];
      if (speed == null || course == null || !(speed > 0.5)) continue;
      if (dense && imp[i]! <= 1) continue; // no leaders for birds in a crowded view
      const lenPx = 15 + Math.min(20, speed / 8);
      const c = (course * Math.PI) / 180;
      const lat = pos[i * 2 + 1]!;
      seg.ensure(m + 1);
      seg.src[m * 2] = pos[i * 2]!;
      seg.src[m * 2 + 1] = lat;
      seg.dst[m * 2] = pos[i * 2]! + Math.sin(c) * lenPx * degPerPx;
      seg.dst[m * 2 + 1] = lat + Math.cos(c) * lenPx * degPerPx * Math.cos((lat * Math.PI) / 180);
      const rgb = AFFIL_RGB[f.affil[i] ?? 'U'] ?? AFFIL_RGB.U!;
      seg.colors[m * 4] = rgb[0];
      seg.colors[m * 4 + 1] = rgb[1];
      seg.colors[m * 4 + 2] = rgb[2];
      seg.colors[m * 4 + 3] = 235;
      m++;
    }
    if (o.trails && trails && drawn) {
      // in a crowded view only drones, unknowns and alerted tracks keep a trail
      const minImp = dense ? 3 : 0;
      let withTrail = 0;
      for (let k = 0; k < drawn; k++) if (imp[rows[k]!]! >= minImp) withTrail++;
      const perTrack = Math.max(1, Math.min(TRAIL_LEN - 1, Math.floor(o.segmentBudget / Math.max(1, withTrail))));
      const stride = Math.ceil((TRAIL_LEN - 1) / perTrack);
      for (let k = 0; k < drawn; k++) {
        const i = rows[k]!;
        if (imp[i]! >= minImp) m = trails.segments(f.id[i]!, stride, seg, m);
      }
    }
    return {
      rows,
      positions: P.subarray(0, drawn * 2),
      icons: I.subarray(0, drawn),
      inView,
      lines: { length: m, src: seg.src.subarray(0, m * 2), dst: seg.dst.subarray(0, m * 2), colors: seg.colors.subarray(0, m * 4) },
    };
  }
}
