// The map: a standalone deck.gl Deck (no basemap tiles) over a Canvas 2D underlay that draws the
// server's land polygons, borders and sensor coverage on a dark sea (basemap.ts). deck.gl draws
// protected sites, sensors and the tracks: milsymbol icons (IconLayer), trails and heading
// leaders (one LineLayer), alert and selection rings. Track layers take binary attributes
// (typed arrays), and only the tracks chosen by the level of detail (lod.ts) are drawn.

import { Deck, MapView, WebMercatorViewport } from '@deck.gl/core';
import type { Layer, PickingInfo } from '@deck.gl/core';
import { IconLayer, LineLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { FeatureCollection, Frame, PointFeature } from './api';
import { BasemapCanvas } from './basemap';
import { DEFAULT_LOD, TrackLod, type LodOptions, type LodResult } from './lod';
import { buildAtlas, type IconAtlas } from './symbols';
import type { FrameArrays, Trails } from './tracks';

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
  | { kind: 'site'; feature: PointFeature }
  | { kind: 'sensor'; feature: PointFeature };

export interface MapCallbacks {
  tooltip(h: Hovered): string | null;
  clickTrack(row: number | null): void;
  /** Called after each deck.gl render with its CPU duration in ms. */
  rendered(ms: number): void;
  error(message: string): void;
}

export interface MapOptions {
  antialias: boolean;
  /** debug: wait for the GPU after each render so `rendered` includes GPU time */
  syncGpu?: boolean;
  lod?: Partial<typeof DEFAULT_LOD>;
}

export const EUROPE_BOUNDS: [[number, number], [number, number]] = [
  [-11, 35],
  [35, 66],
];

export const SENSOR_RGB: Record<string, [number, number, number]> = {
  RADAR: [90, 170, 255],
  RF: [200, 140, 255],
  ACOUSTIC: [120, 230, 200],
  EOIR: [255, 170, 90],
  REMOTE_ID: [150, 230, 120],
  ADSB: [180, 180, 200],
};
export const sensorRgb = (kind: unknown): [number, number, number] =>
  SENSOR_RGB[String(kind ?? '').toUpperCase()] ?? [170, 190, 210];

const SITE_RGB: [number, number, number] = [255, 196, 0];

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

export class AirMap {
  readonly atlas: IconAtlas;
  readonly deck: Deck<MapView>;
  private readonly basemap: BasemapCanvas;
  private readonly lod = new TrackLod();
  private readonly lodOptions: typeof DEFAULT_LOD;
  private view: ViewState;
  private siteLayers: Layer[] = [];
  private sensorLayers: Layer[] = [];
  private trackLayers: Layer[] = [];
  private selectionLayer: Layer | null = null;
  private showTrails = true;
  private showLabels = false;
  private renderStart = 0;
  private frame: Frame | null = null;
  private arrays: FrameArrays | null = null;
  private trails: Trails | null = null;
  private selectedRow: number | null = null;
  private last: LodResult | null = null;
  private relodTimer: number | null = null;
  private lastRelod = 0;

  constructor(
    private readonly parent: HTMLDivElement,
    private readonly cb: MapCallbacks,
    opts: MapOptions,
  ) {
    this.atlas = buildAtlas();
    this.lodOptions = { ...DEFAULT_LOD, ...(opts.lod ?? {}) };
    this.basemap = new BasemapCanvas(parent);
    this.view = this.fit(EUROPE_BOUNDS);
    this.deck = new Deck<MapView>({
      parent,
      deviceProps: { type: 'webgl', webgl: { antialias: opts.antialias, preserveDrawingBuffer: false } },
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
        if (vp) {
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

  /** The view moved: site labels by zoom, and the level of detail again (at most 4 times a
   * second while moving, and once when it stops). */
  private viewChanged(): void {
    const labels = this.view.zoom >= 7;
    if (labels !== this.showLabels) {
      this.showLabels = labels;
      this.rebuildSites();
    }
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

  private sites: PointFeature[] = [];
  setSites(fc: FeatureCollection): void {
    this.sites = (fc.features ?? []).filter((f) => f.geometry?.type === 'Point');
    this.rebuildSites();
  }

  private rebuildSites(): void {
    const sites = this.sites;
    this.siteLayers = [
      new ScatterplotLayer<PointFeature>({
        id: 'sites',
        data: sites,
        getPosition: (f) => f.geometry.coordinates as [number, number],
        getRadius: (f) => num(f.properties.radius_m, 3000),
        radiusUnits: 'meters',
        radiusMinPixels: 4,
        filled: true,
        stroked: true,
        getFillColor: [...SITE_RGB, 40],
        getLineColor: [...SITE_RGB, 220],
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        pickable: true,
      }),
    ];
    if (this.showLabels) {
      this.siteLayers.push(
        new TextLayer<PointFeature>({
          id: 'site-labels',
          data: sites,
          getPosition: (f) => f.geometry.coordinates as [number, number],
          getText: (f) => String(f.properties.name ?? f.properties.site_id ?? ''),
          characterSet: 'auto',
          fontFamily: 'system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif',
          getSize: 12,
          getColor: [...SITE_RGB, 230],
          getPixelOffset: [0, 10],
          getTextAnchor: 'middle',
          getAlignmentBaseline: 'top',
          outlineWidth: 3,
          outlineColor: [0, 0, 0, 200],
          fontSettings: { sdf: true },
          pickable: false,
        }),
      );
    }
    this.render();
  }

  setSensors(fc: FeatureCollection): void {
    const sensors = (fc.features ?? []).filter((f) => f.geometry?.type === 'Point');
    this.basemap.setCoverage(fc, sensorRgb);
    this.sensorLayers = [
      new ScatterplotLayer<PointFeature>({
        id: 'sensors',
        data: sensors,
        getPosition: (f) => f.geometry.coordinates as [number, number],
        getRadius: 4,
        radiusUnits: 'pixels',
        filled: true,
        stroked: true,
        getFillColor: (f) => [...sensorRgb(f.properties.kind), 255],
        getLineColor: [0, 0, 0, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 1,
        pickable: true,
      }),
    ];
    this.render();
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

  /** Level of detail for the current view, and the track layers from it. */
  private relod(): void {
    this.lastRelod = performance.now();
    const f = this.frame;
    const a = this.arrays;
    if (!f || !a) return;
    const { width, height } = this.size();
    const opts: LodOptions = { ...this.lodOptions, trails: this.showTrails, selectedRow: this.selectedRow };
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
    const layers: Layer[] = [...this.siteLayers, ...this.sensorLayers, ...this.trackLayers];
    if (this.selectionLayer) layers.push(this.selectionLayer);
    this.deck.setProps({ layers });
  }

  private hovered(info: PickingInfo): Hovered | null {
    if (!info.layer || info.index < 0) return null;
    switch (info.layer.id) {
      case 'tracks': {
        const row = this.last?.rows[info.index];
        return row === undefined ? null : { kind: 'track', row };
      }
      case 'sites':
        return info.object ? { kind: 'site', feature: info.object as PointFeature } : null;
      case 'sensors':
        return info.object ? { kind: 'sensor', feature: info.object as PointFeature } : null;
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
    else if (!h) this.cb.clickTrack(null);
  }

  /** Symbols drawn / tracks in view, for the status line. */
  get drawnCounts(): { drawn: number; inView: number } {
    return { drawn: this.last?.rows.length ?? 0, inView: this.last?.inView ?? 0 };
  }
}
