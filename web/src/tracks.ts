// The picture held client-side: the latest frame's columns as they came (no per-track objects),
// typed arrays derived from them, and a short trail per track kept in one ring-buffer pool.

import type { Frame, JsonFrame } from './api';
import { AFFIL_RGB, iconIndex } from './symbols';

export const TRAIL_LEN = 30;

export interface ClassCounts {
  DRONE: number;
  BIRD: number;
  AIRCRAFT: number;
  UNKNOWN: number;
}

/** Derived per-row arrays of one frame. */
export interface FrameArrays {
  n: number;
  positions: Float64Array; // lon, lat
  icons: Uint8Array; // iconIndex
  importance: Uint8Array; // drawing priority: 5 alert, 4 hostile/suspect drone, 3 other drone or unknown, 2 aircraft, 1 bird
  alerted: number[]; // rows with an active alert
  rowOf: Map<number, number>; // track id -> row
  counts: ClassCounts;
}

/** Growable line-segment buffers (source / target lon-lat, rgba) for a LineLayer. */
export class SegmentBuffer {
  src = new Float64Array(0);
  dst = new Float64Array(0);
  colors = new Uint8Array(0);
  ensure(n: number): void {
    if (this.colors.length >= n * 4) return;
    const cap = Math.max(1024, Math.ceil(n * 1.5));
    const src = new Float64Array(cap * 2);
    const dst = new Float64Array(cap * 2);
    const colors = new Uint8Array(cap * 4);
    src.set(this.src);
    dst.set(this.dst);
    colors.set(this.colors);
    this.src = src;
    this.dst = dst;
    this.colors = colors;
  }
}

/** Trails of up to TRAIL_LEN positions per track id, in one pooled ring buffer. */
export class Trails {
  private cap = 0;
  private xy = new Float64Array(0); // slot * TRAIL_LEN * 2
  private head = new Uint8Array(0); // next write position in the ring
  private count = new Uint8Array(0);
  private seen = new Uint32Array(0); // generation in which the slot was last updated
  private used = new Uint8Array(0);
  private affil = new Uint8Array(0); // colour key of the track, as a char code
  private free: number[] = [];
  private slotOf = new Map<number, number>();
  private gen = 0;

  clear(): void {
    this.slotOf.clear();
    this.used.fill(0);
    this.count.fill(0);
    this.free = [];
    for (let s = this.cap - 1; s >= 0; s--) this.free.push(s);
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.cap * 2, 1024);
    const xy = new Float64Array(cap * TRAIL_LEN * 2);
    xy.set(this.xy);
    this.xy = xy;
    for (const k of ['head', 'count', 'used', 'affil'] as const) {
      const a = new Uint8Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
    const seen = new Uint32Array(cap);
    seen.set(this.seen);
    this.seen = seen;
    for (let s = cap - 1; s >= this.cap; s--) this.free.push(s);
    this.cap = cap;
  }

  /** Add each row's position to its track's trail; forget tracks not in the frame. */
  update(f: Frame): void {
    const gen = ++this.gen;
    const { id, lon, lat, affil } = f;
    const n = f.n;
    for (let i = 0; i < n; i++) {
      const tid = id[i]!;
      let s = this.slotOf.get(tid);
      if (s === undefined) {
        if (!this.free.length) this.grow(this.cap + 1);
        s = this.free.pop()!;
        this.slotOf.set(tid, s);
        this.used[s] = 1;
        this.count[s] = 0;
        this.head[s] = 0;
      }
      this.seen[s] = gen;
      this.affil[s] = (affil[i] ?? 'U').charCodeAt(0);
      const x = lon[i]!;
      const y = lat[i]!;
      const base = s * TRAIL_LEN * 2;
      const c = this.count[s]!;
      if (c > 0) {
        const last = base + ((this.head[s]! + TRAIL_LEN - 1) % TRAIL_LEN) * 2;
        const dx = x - this.xy[last]!;
        const dy = y - this.xy[last + 1]!;
        if (dx === 0 && dy === 0) continue;
        if (Math.abs(dx) > 1 || Math.abs(dy) > 1) this.count[s] = 0; // a jump: start afresh
      }
      const h = this.head[s]!;
      this.xy[base + h * 2] = x;
      this.xy[base + h * 2 + 1] = y;
      this.head[s] = (h + 1) % TRAIL_LEN;
      if (this.count[s]! < TRAIL_LEN) this.count[s] = this.count[s]! + 1;
    }
    // Forget tracks that left the picture.
    if (this.slotOf.size > n) {
      for (const [tid, s] of this.slotOf) {
        if (this.seen[s] !== gen) {
          this.slotOf.delete(tid);
          this.used[s] = 0;
          this.free.push(s);
        }
      }
    }
  }

  /** Append the trail of `trackId` as line segments (oldest to newest), keeping every
   * `stride`-th position plus the newest one. Returns the new segment count `k`. */
  segments(trackId: number, stride: number, out: SegmentBuffer, k: number): number {
    const s = this.slotOf.get(trackId);
    if (s === undefined) return k;
    const c = this.count[s]!;
    if (c < 2) return k;
    const base = s * TRAIL_LEN * 2;
    const newest = (this.head[s]! + TRAIL_LEN - 1) % TRAIL_LEN;
    const rgb = AFFIL_RGB[String.fromCharCode(this.affil[s]!)] ?? AFFIL_RGB.U!;
    // walk back from the newest position in steps of `stride`
    let j = base + newest * 2;
    let x1 = this.xy[j]!;
    let y1 = this.xy[j + 1]!;
    const steps = Math.ceil((c - 1) / stride);
    for (let m = 1; m <= steps; m++) {
      const back = Math.min(m * stride, c - 1);
      j = base + ((newest - back + TRAIL_LEN * 2) % TRAIL_LEN) * 2;
      const x0 = this.xy[j]!;
      const y0 = this.xy[j + 1]!;
      out.ensure(k + 1);
      const src = out.src;
      const dst = out.dst;
      const col = out.colors;
      src[k * 2] = x0;
      src[k * 2 + 1] = y0;
      dst[k * 2] = x1;
      dst[k * 2 + 1] = y1;
      col[k * 4] = rgb[0];
      col[k * 4 + 1] = rgb[1];
      col[k * 4 + 2] = rgb[2];
      col[k * 4 + 3] = Math.round(190 - (150 * (m - 1)) / Math.max(1, steps - 1));
      k++;
      x1 = x0;
      y1 = y0;
    }
    return k;
  }

  get size(): number {
    return this.slotOf.size;
  }
}

/** Per-row typed arrays of a frame (pooled buffers, fresh views). */
export class FrameBuffers {
  private positions = new Float64Array(0);
  private icons = new Uint8Array(0);
  private importance = new Uint8Array(0);

  build(f: Frame): FrameArrays {
    const n = f.n;
    if (this.icons.length < n) {
      const cap = Math.ceil(n * 1.25) + 16;
      this.positions = new Float64Array(cap * 2);
      this.icons = new Uint8Array(cap);
      this.importance = new Uint8Array(cap);
    }
    const { id, lon, lat, cls, affil, alert } = f;
    const counts: ClassCounts = { DRONE: 0, BIRD: 0, AIRCRAFT: 0, UNKNOWN: 0 };
    const rowOf = new Map<number, number>();
    const alerted: number[] = [];
    const pos = this.positions;
    const icons = this.icons;
    const imp = this.importance;
    for (let i = 0; i < n; i++) {
      pos[i * 2] = lon[i]!;
      pos[i * 2 + 1] = lat[i]!;
      const c = cls[i] ?? 'UNKNOWN';
      const a = affil[i] ?? 'U';
      icons[i] = iconIndex(c, a);
      let k: number;
      if (c === 'DRONE') {
        counts.DRONE++;
        k = a === 'H' || a === 'S' ? 4 : 3;
      } else if (c === 'BIRD') {
        counts.BIRD++;
        k = 1;
      } else if (c === 'AIRCRAFT') {
        counts.AIRCRAFT++;
        k = 2;
      } else {
        counts.UNKNOWN++;
        k = 3;
      }
      if (alert[i]) {
        alerted.push(i);
        k = 5;
      }
      imp[i] = k;
      rowOf.set(id[i]!, i);
    }
    return {
      n,
      positions: pos.subarray(0, n * 2),
      icons: icons.subarray(0, n),
      importance: imp.subarray(0, n),
      alerted,
      rowOf,
      counts,
    };
  }
}

/** The frame's `n`, made safe: the shortest of `n` and the id / lat / lon columns. */
export function normaliseFrame(f: Frame | JsonFrame): Frame {
  const n = Math.min(f.n ?? Infinity, f.id?.length ?? 0, f.lat?.length ?? 0, f.lon?.length ?? 0);
  const empty: never[] = [];
  return {
    ...f,
    t: f.t ?? NaN,
    n,
    lat: f.lat as ArrayLike<number>,
    lon: f.lon as ArrayLike<number>,
    cls: f.cls ?? empty,
    affil: f.affil ?? empty,
    course: f.course ?? empty,
    speed: f.speed ?? empty,
    alert: f.alert ?? empty,
    alt: f.alt ?? empty,
    climb: f.climb ?? empty,
    sigma: f.sigma ?? empty,
    p_drone: f.p_drone ?? empty,
    p_bird: f.p_bird ?? empty,
    p_aircraft: f.p_aircraft ?? empty,
    p_unknown: f.p_unknown ?? empty,
    kind: f.kind ?? empty,
    prio: f.prio ?? empty,
    site: f.site ?? empty,
    tts: f.tts ?? empty,
    ident: f.ident ?? empty,
  };
}
