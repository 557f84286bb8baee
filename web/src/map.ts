// The map: a standalone deck.gl Deck (no basemap tiles) over a Canvas 2D underlay that draws the
// server's land polygons, borders and sensor coverage on a dark sea (basemap.ts). deck.gl draws
// protected sites, sensors (markers by kind and health state, sensoricons.ts) and the tracks:
// milsymbol icons (IconLayer), trails and heading leaders (one LineLayer), alert and selection
// rings. Track layers take binary attributes
// (typed arrays), and only the tracks chosen by the level of detail (lod.ts) are drawn.

import { Deck, MapView, WebMercatorViewport } from '@deck.gl/core';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { IconLayer, LineLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Frame, SiteCollection } from './api';
import { BasemapCanvas, metresPerPixel, SITE_MIN_PX } from './basemap';
import { DEFAULT_LOD, TrackLod, type LodOptions, type LodResult } from './lod';
import { buildSensorAtlas, stateRgb, type SensorAtlas } from './sensoricons';
import { drawSignature, type SensorRow } from './sensors';
import { buildAtlas, type IconAtlas } from './symbols';
import type { FrameArrays, Trails } from './tracks';

type SiteFeature = SiteCollection['features'][number];

export interface ViewState {
  longitude: number;
  latitude: number;
  zoom: number;
  pitch?: number;
  bearing?: number;
  transitionDuration?: number;
}

export type Hovered =
  | { kind: 'track'; row: number }
  | { kind: 'site'; feature: SiteFeature }
  | { kind: 'sensor'; sensor: SensorRow };

export interface MapCallbacks {
  tooltip(h: Hovered): string | null;
  clickTrack(row: number | null): void;
  clickSensor(id: string): void;
  /** Called after each deck.gl render with its CPU duration in ms. */
  rendered(ms: number): void;
  error(message: string): void;
}

export interface MapOptions {
  antialias: boolean;
  /** debug: wait for the GPU after each render so `rendered` includes GPU time */
  syncGpu?: boolean;
  lod?: Partial<typeof DEFAULT_LOD>;
  /** debug: deck.gl layer ids not to draw ("basemap" hides the land underlay) */
  hide?: Set<string>;
}

export const EUROPE_BOUNDS: [[number, number], [number, number]] = [
  [-11, 35],
  [35, 66],
];

export { SENSOR_RGB, sensorRgb } from './sensoricons';

const TARGET_DRAW_MS = 50; // a picture should be on screen within about three frames
const MIN_BUDGET = 0.1; // never fewer than a tenth of the symbols (400 of 4,000)

function isSoftwareRenderer(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(name);
  } catch {
    return false;
  }
}

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

export class AirMap {
  readonly atlas: IconAtlas;
  readonly sensorAtlas: SensorAtlas;
  readonly deck: Deck<MapView>;
  private readonly basemap: BasemapCanvas;
  private readonly lod = new TrackLod();
  private readonly lodOptions: typeof DEFAULT_LOD;
  private view: ViewState;
  private sensorLayers: Layer[] = [];
  private sensorRows: SensorRow[] = [];
  private sensorSig = '';
  /** Whether the operator has moved the map (then it is never re-fitted for them). */
  userMoved = false;
  private trackLayers: Layer[] = [];
  private selectionLayer: Layer | null = null;
  private showTrails = true;
  private renderStart = 0;
  private frame: Frame | null = null;
  private arrays: FrameArrays | null = null;
  private trails: Trails | null = null;
  private selectedRow: number | null = null;
  private last: LodResult | null = null;
  private relodTimer: number | null = null;
  readonly softwareGl: boolean;
  /** Share (0.1–1) of the symbol and trail budgets in use: see `adapt`. */
  private budget = 1;
  private lastRelod = 0;

  constructor(
    private readonly parent: HTMLDivElement,
    private readonly cb: MapCallbacks,
    private readonly opts: MapOptions,
  ) {
    this.atlas = buildAtlas();
    this.sensorAtlas = buildSensorAtlas();
    for (const type of ['pointerdown', 'wheel', 'keydown'] as const) {
      parent.addEventListener(type, () => (this.userMoved = true), { passive: true });
    }
    this.lodOptions = { ...DEFAULT_LOD, ...(opts.lod ?? {}) };
    // A software renderer (SwiftShader, llvmpipe: headless browsers, machines without a GPU)
    // pays for 4× multisampling on the CPU with every redraw; its symbols are drawn without it.
    this.softwareGl = isSoftwareRenderer();
    const antialias = opts.antialias && !this.softwareGl;
    this.basemap = new BasemapCanvas(parent);
    this.view = this.fit(EUROPE_BOUNDS);
    this.deck = new Deck<MapView>({
      parent,
      deviceProps: { type: 'webgl', webgl: { antialias, preserveDrawingBuffer: false } },
      style: { zIndex: '1' },
      views: new MapView({ id: 'map', repeat: false }),
      initialViewState: this.view,
      controller: { dragRotate: false, touchRotate: false, keyboard: true },
      layers: [],
      pickingRadius: 4,
      getTooltip: (info) => this.tooltip(info),
      onClick: (info) => this.click(info),
      onViewStateChange: ({ viewState }) => {
        this.view = viewState as unknown as ViewState;
        this.viewChanged();
      },
      onBeforeRender: () => {
        this.renderStart = performance.now();
        const vp = this.deck.getViewports()[0];
        if (vp && !opts.hide?.has('basemap')) {
          const m = vp as unknown as { longitude: number; latitude: number; zoom: number };
          this.basemap.draw({ longitude: m.longitude, latitude: m.latitude, zoom: m.zoom, width: vp.width, height: vp.height });
        }
      },
      onAfterRender: ({ device }) => {
        if (opts.syncGpu) {
          const gl = (device as unknown as { gl?: WebGL2RenderingContext }).gl;
          gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        }
        this.cb.rendered(performance.now() - this.renderStart);
      },
      onError: (error) => {
        this.cb.error(`map error: ${error.message}`);
      },
    });
  }

  private box: { width: number; height: number } | null = null;
  /** The map's size in CSS pixels (kept by a ResizeObserver: no layout reads per frame). */
  private size(): { width: number; height: number } {
    if (!this.box) {
      this.box = { width: Math.max(this.parent.clientWidth, 200), height: Math.max(this.parent.clientHeight, 200) };
      new ResizeObserver(() => {
        this.box = { width: Math.max(this.parent.clientWidth, 200), height: Math.max(this.parent.clientHeight, 200) };
        this.viewChanged();
      }).observe(this.parent);
    }
    return this.box;
  }

  /** Centre and zoom that show `bounds` ([[west, south], [east, north]]) in the map's box. */
  fit(bounds: [[number, number], [number, number]]): ViewState {
    const { width, height } = this.size();
    const [[w, s], [e, n]] = bounds;
    const pad = Math.min(60, width / 6, height / 6);
    // a point (or a tiny box) still gets a sensible zoom
    const dx = Math.max(e - w, 0.2);
    const dy = Math.max(n - s, 0.1);
    const cx = (w + e) / 2;
    const cy = (s + n) / 2;
    const vp = new WebMercatorViewport({ width, height }).fitBounds(
      [
        [cx - dx / 2, cy - dy / 2],
        [cx + dx / 2, cy + dy / 2],
      ],
      { padding: pad },
    );
    return { longitude: vp.longitude, latitude: vp.latitude, zoom: Math.min(vp.zoom, 12), pitch: 0, bearing: 0 };
  }

  fitTo(bounds: [[number, number], [number, number]]): void {
    this.setView(this.fit(bounds));
  }

  setView(v: ViewState): void {
    this.view = { ...v };
    this.deck.setProps({ initialViewState: { ...v } });
    this.viewChanged();
  }

  /** Pan to a point, keeping the zoom (zooming in to at least `minZoom`). */
  panTo(lon: number, lat: number, minZoom = 7): void {
    this.setView({
      ...this.view,
      longitude: lon,
      latitude: lat,
      zoom: Math.max(this.view.zoom, minZoom),
      transitionDuration: 500,
    });
  }

  get viewState(): ViewState {
    return this.view;
  }

  /** The view moved: the level of detail again (at most 4 times a
   * second while moving, and once when it stops). */
  private viewChanged(): void {
    if (!this.frame) return;
    const now = performance.now();
    if (this.relodTimer !== null) clearTimeout(this.relodTimer);
    if (now - this.lastRelod > 250) this.relod();
    this.relodTimer = window.setTimeout(() => {
      this.relodTimer = null;
      this.relod();
    }, 150);
  }

  setBasemap(geojson: unknown): void {
    this.basemap.setGeoJson(geojson);
    this.deck.redraw('basemap');
  }

  private sites: SiteFeature[] = [];
  /** Protected sites are drawn on the Canvas 2D underlay, with their names from zoom 7, and
   * hit-tested here: as deck.gl layers (a ScatterplotLayer and a TextLayer of the 1,079
   * default sites) they were re-rendered with every picture and, under software WebGL, held
   * the map to 1–2 frames a second (bench/bench_browser.py, BENCHMARKS.md). */
  setSites(fc: SiteCollection): void {
    this.sites = (fc.features ?? []).filter((f) => f.geometry?.type === 'Point');
    const points = this.sites.map((f) => {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      return { lon, lat, radiusM: num(f.properties.radius_m, 3000), text: f.properties.name || f.properties.site_id };
    });
    this.basemap.setSites(points);
    this.basemap.setLabels(points);
    this.deck.redraw('sites');
  }

  /** The site under screen point (x, y): inside its circle, or within SITE_MIN_PX + 2 px of
   * its centre; the nearest centre wins. */
  private siteAt(x: number, y: number): SiteFeature | null {
    const vp = this.deck.getViewports()[0];
    if (!vp || !this.sites.length) return null;
    const mPerPx = metresPerPixel(this.view.zoom);
    let best: SiteFeature | null = null;
    let bestD = Infinity;
    for (const f of this.sites) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const [px, py] = vp.project([lon, lat]) as [number, number];
      const d = Math.hypot(px - x, py - y);
      const r = Math.max(num(f.properties.radius_m, 3000) / (mPerPx * Math.cos((lat * Math.PI) / 180)), SITE_MIN_PX + 2);
      if (d <= r && d < bestD) {
        best = f;
        bestD = d;
      }
    }
    return best;
  }

  /** Sensors by kind and state, with coverage circles of the known ranges (on the underlay:
   * dashed when the sensor is stale or offline). Redrawn only when something drawn changed. */
  setSensors(rows: SensorRow[]): void {
    const sig = drawSignature(rows);
    if (sig === this.sensorSig) return;
    this.sensorSig = sig;
    const placed = rows.filter((r) => r.lon !== null && r.lat !== null);
    this.sensorRows = placed;
    this.basemap.setCoverage(
      placed
        .filter((r) => r.maxRangeM !== null && r.maxRangeM > 0)
        .map((r) => ({
          lon: r.lon!,
          lat: r.lat!,
          radiusM: r.maxRangeM!,
          rgb: stateRgb(r.kind, r.state),
          dashed: r.state === 'stale' || r.state === 'offline',
        })),
    );
    const atlas = this.sensorAtlas;
    this.sensorLayers = [
      new IconLayer<SensorRow>({
        id: 'sensors',
        data: placed,
        getPosition: (r) => [r.lon!, r.lat!],
        iconAtlas: atlas.canvas as never,
        iconMapping: atlas.mapping,
        getIcon: (r) => atlas.name(r.kind, r.state),
        sizeUnits: 'pixels',
        getSize: atlas.size,
        alphaCutoff: 0.05,
        pickable: true,
        updateTriggers: { getIcon: sig },
      }),
    ];
    this.render();
    this.deck.redraw('sensors');
  }

  /** The sensors drawn on the map (those with a known position), as drawn. */
  get drawnSensors(): { id: string; state: string; lon: number; lat: number }[] {
    return this.sensorRows.map((r) => ({ id: r.id, state: r.state, lon: r.lon!, lat: r.lat! }));
  }

  setCoverageVisible(on: boolean): void {
    this.basemap.setCoverageVisible(on);
    this.deck.redraw('coverage');
  }

  setTrailsVisible(on: boolean): void {
    this.showTrails = on;
    this.relod();
  }

  /** A new frame to draw, and the selected track's row in it. */
  setTracks(f: Frame, a: FrameArrays, trails: Trails | null, selectedRow: number | null): void {
    this.frame = f;
    this.arrays = a;
    this.trails = trails;
    this.selectedRow = selectedRow;
    this.buildSelection();
    this.relod();
  }

  /** The selected track's row in the current frame (always drawn, with a ring). */
  setSelection(row: number | null): void {
    this.selectedRow = row;
    this.buildSelection();
    this.relod();
  }

  private buildSelection(): void {
    const row = this.selectedRow;
    const f = this.frame;
    this.selectionLayer =
      row !== null && f && row < f.n
        ? new ScatterplotLayer<[number, number]>({
            id: 'selection',
            data: [[f.lon[row]!, f.lat[row]!]],
            getPosition: (p) => p,
            getRadius: this.atlas.height * 0.8,
            radiusUnits: 'pixels',
            filled: false,
            stroked: true,
            getLineColor: [255, 255, 255, 255],
            lineWidthUnits: 'pixels',
            getLineWidth: 2.5,
            pickable: false,
          })
        : null;
  }

  /** Keep redraws affordable: `drawMs` is how long the browser took to show the last picture
   * (the animation-frame gap after it). Above TARGET_DRAW_MS the symbol and trail budgets
   * shrink, well below it they grow back to the full budget — so a slow (software) renderer
   * shows fewer, most important symbols and stays responsive instead of freezing once per
   * update. The status line says how many tracks in view are not drawn. */
  adapt(drawMs: number): void {
    const before = this.budget;
    if (drawMs > 2 * TARGET_DRAW_MS) this.budget *= 0.6;
    else if (drawMs > TARGET_DRAW_MS) this.budget *= 0.85;
    else if (drawMs < TARGET_DRAW_MS / 2) this.budget *= 1.15;
    this.budget = Math.min(1, Math.max(MIN_BUDGET, this.budget));
    if (this.budget !== before) this.relod();
  }

  get drawBudget(): number {
    return this.budget;
  }

  /** Level of detail for the current view, and the track layers from it. */
  private relod(): void {
    this.lastRelod = performance.now();
    const f = this.frame;
    const a = this.arrays;
    if (!f || !a) return;
    const { width, height } = this.size();
    const b = this.budget;
    const opts: LodOptions = {
      ...this.lodOptions,
      maxSymbols: Math.round(this.lodOptions.maxSymbols * b),
      segmentBudget: Math.round(this.lodOptions.segmentBudget * b),
      declutterAbove: Math.min(this.lodOptions.declutterAbove, Math.round(this.lodOptions.maxSymbols * b)),
      trails: this.showTrails,
      selectedRow: this.selectedRow,
    };
    const r = this.lod.compute(f, a, this.trails, { ...this.view, width, height }, opts);
    this.last = r;
    const names = this.atlas.names;
    const icons = r.icons;
    const size = this.atlas.height * (r.rows.length > this.lodOptions.declutterAbove ? 0.8 : 1);
    const layers: Layer[] = [];
    if (r.lines.length) {
      layers.push(
        new LineLayer({
          id: 'trails',
          data: {
            length: r.lines.length,
            attributes: {
              getSourcePosition: { value: r.lines.src, size: 2 },
              getTargetPosition: { value: r.lines.dst, size: 2 },
              getColor: { value: r.lines.colors, size: 4 },
            },
          } as never,
          widthUnits: 'pixels',
          getWidth: 1.5,
          pickable: false,
        }),
      );
    }
    if (a.alerted.length) {
      const pos = a.positions;
      layers.push(
        new ScatterplotLayer<number>({
          id: 'alert-rings',
          data: a.alerted,
          getPosition: (i) => [pos[i * 2]!, pos[i * 2 + 1]!],
          getRadius: this.atlas.height * 0.62,
          radiusUnits: 'pixels',
          filled: false,
          stroked: true,
          getLineColor: [255, 60, 60, 235],
          lineWidthUnits: 'pixels',
          getLineWidth: 2,
          pickable: false,
        }),
      );
    }
    layers.push(
      new IconLayer({
        id: 'tracks',
        data: { length: r.rows.length, attributes: { getPosition: { value: r.positions, size: 2 } } } as never,
        iconAtlas: this.atlas.canvas as never,
        iconMapping: this.atlas.mapping,
        getIcon: (_: unknown, { index }: { index: number }) => names[icons[index]!]!,
        sizeUnits: 'pixels',
        getSize: size,
        alphaCutoff: 0.05,
        pickable: true,
      }),
    );
    this.trackLayers = layers;
    this.render();
  }

  private render(): void {
    let layers: Layer[] = [...this.sensorLayers, ...this.trackLayers];
    if (this.selectionLayer) layers.push(this.selectionLayer);
    const hide = this.opts.hide;
    if (hide?.size) layers = layers.filter((l) => !hide.has(l.id));
    this.deck.setProps({ layers });
  }

  private hovered(info: PickingInfo): Hovered | null {
    if (!info.layer || info.index < 0) {
      const site = info.x >= 0 && info.y >= 0 ? this.siteAt(info.x, info.y) : null;
      return site ? { kind: 'site', feature: site } : null;
    }
    switch (info.layer.id) {
      case 'tracks': {
        const row = this.last?.rows[info.index];
        return row === undefined ? null : { kind: 'track', row };
      }
      case 'sensors':
        return info.object ? { kind: 'sensor', sensor: info.object as SensorRow } : null;
      default:
        return null;
    }
  }

  private tooltip(info: PickingInfo) {
    const h = this.hovered(info);
    const html = h ? this.cb.tooltip(h) : null;
    return html ? { html, className: 'dw-tooltip' } : null;
  }

  private click(info: PickingInfo): void {
    const h = this.hovered(info);
    if (h?.kind === 'track') this.cb.clickTrack(h.row);
    else if (h?.kind === 'sensor') this.cb.clickSensor(h.sensor.id);
    else if (!h) this.cb.clickTrack(null);
  }

  /** Symbols drawn / tracks in view, for the status line. */
  get drawnCounts(): { drawn: number; inView: number } {
    return { drawn: this.last?.rows.length ?? 0, inView: this.last?.inView ?? 0 };
  }
}
