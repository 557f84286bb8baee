// Dev only: GPU cost of one deck.gl layer kind with N instances under software WebGL.
// Open /dev/bench.html?layer=icon&n=10000 through `npx vite`; read window.bench.
import { Deck, MapView } from '@deck.gl/core';
import { GeoJsonLayer, IconLayer, LineLayer, ScatterplotLayer, PathLayer } from '@deck.gl/layers';

const q = new URLSearchParams(location.search);
const kind = q.get('layer') ?? 'icon';
const n = Number(q.get('n') ?? 10000);
const f32 = q.get('f32') === '1';
const aa = q.get('aa') !== '0';
const atlas = document.createElement('canvas');
atlas.width = atlas.height = 64;
const c2 = atlas.getContext('2d')!;
c2.fillStyle = '#f88';
c2.fillRect(8, 8, 48, 48);
const mapping = { a: { x: 0, y: 0, width: 64, height: 64, anchorX: 32, anchorY: 32, mask: false } };
const gpu: number[] = [];
const cpu: number[] = [];
const raf: number[] = [];
let t0 = 0;
let last = 0;
(function loop(t: number) { if (last) raf.push(t - last); last = t; requestAnimationFrame(loop); })(0);
const deck = new Deck({
  parent: document.getElementById('map') as HTMLDivElement,
  views: new MapView({ repeat: false }),
  initialViewState: { longitude: 13, latitude: 56, zoom: 5.5 },
  controller: true,
  deviceProps: { type: 'webgl', webgl: { antialias: aa } },
  onBeforeRender: () => { t0 = performance.now(); },
  onAfterRender: ({ device }) => {
    const t1 = performance.now();
    const gl = (device as unknown as { gl: WebGL2RenderingContext }).gl;
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    cpu.push(t1 - t0);
    gpu.push(performance.now() - t0);
  },
});
function update(): void {
  const P = f32 ? new Float32Array(n * 2) : new Float64Array(n * 2);
  const Q = f32 ? new Float32Array(n * 2) : new Float64Array(n * 2);
  const C = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    P[i * 2] = 4 + Math.random() * 18; P[i * 2 + 1] = 52 + Math.random() * 8;
    Q[i * 2] = P[i * 2]! + Number(q.get('len') ?? 0.02); Q[i * 2 + 1] = P[i * 2 + 1]! + Number(q.get('len') ?? 0.02) / 2;
    C[i * 4] = 255; C[i * 4 + 1] = 200; C[i * 4 + 2] = 100; C[i * 4 + 3] = 200;
  }
  const data = { length: n, attributes: { getPosition: { value: P, size: 2 }, getColor: { value: C, size: 4 } } };
  let layer;
  if (kind === 'none') { layer = new LineLayer({ id: 'l', data: [] }); } else if (kind === 'basemap' || kind === 'landfill') {
    if (!basemap) return;
    layer = kind === 'basemap'
      ? new GeoJsonLayer({ id: 'l', data: basemap as never, filled: true, stroked: true, getFillColor: [38, 48, 58], getLineColor: [104, 124, 142], lineWidthUnits: 'pixels', getLineWidth: 0.8 })
      : new GeoJsonLayer({ id: 'l', data: basemap as never, filled: true, stroked: false, getFillColor: [38, 48, 58] });
  } else if (kind === 'icon') layer = new IconLayer({ id: 'l', data: data as never, iconAtlas: atlas as never, iconMapping: mapping, getIcon: () => 'a', getSize: Number(q.get('size') ?? 24), sizeUnits: 'pixels' });
  else if (kind === 'scatter') layer = new ScatterplotLayer({ id: 'l', data: { length: n, attributes: { getPosition: { value: P, size: 2 }, getFillColor: { value: C, size: 4 } } } as never, getRadius: 6, radiusUnits: 'pixels' });
  else if (kind === 'line') layer = new LineLayer({ id: 'l', data: { length: n, attributes: { getSourcePosition: { value: P, size: 2 }, getTargetPosition: { value: Q, size: 2 }, getColor: { value: C, size: 4 } } } as never, getWidth: 1.5, widthUnits: 'pixels' });
  else {
    const starts = new Uint32Array(n / 2 + 1); for (let i = 0; i <= n / 2; i++) starts[i] = i * 2;
    layer = new PathLayer({ id: 'l', data: { length: n / 2, startIndices: starts, attributes: { getPath: { value: P, size: 2 }, getColor: { value: C, size: 4 } } } as never, _pathType: 'open', getWidth: 1.5, widthUnits: 'pixels' });
  }
  deck.setProps({ layers: q.get('static') === '1' && deck.props.layers.length ? deck.props.layers : [layer] });
}
let basemap: unknown = null;
if (kind === 'basemap' || kind === 'landfill') fetch('/api/basemap').then((r) => r.json()).then((j) => { basemap = j; update(); });
update();
let zoomNudge = 0;
setInterval(() => {
  if (q.get('spin') === '1') {
    zoomNudge = zoomNudge ? 0 : 0.001;
    deck.setProps({ initialViewState: { longitude: 13, latitude: 56, zoom: 5.5 + zoomNudge } });
  } else update();
}, 1000);
(window as unknown as Record<string, unknown>).bench = { gpu, cpu, raf };
