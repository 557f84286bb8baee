// Sensor markers by kind and health state, drawn once with Canvas 2D into one icon atlas for a
// deck.gl IconLayer (and as data: URLs for the sensor panel and the legend):
//
//   ok       a dot in the kind's colour, black outline
//   stale    a grey dot, dashed outline in the kind's colour, a yellow warning triangle
//   offline  a dark dot crossed out in red
//   fault    an amber dot with a black "!"
//   waiting  a hollow ring in the kind's colour (declared, never heard)

import type { IconMappingEntry } from './symbols';
import { SENSOR_STATES, type SensorState } from './sensors';

export const SENSOR_RGB: Record<string, [number, number, number]> = {
  RADAR: [90, 170, 255],
  RF: [200, 140, 255],
  ACOUSTIC: [120, 230, 200],
  EOIR: [255, 170, 90],
  REMOTE_ID: [150, 230, 120],
  ADSB: [180, 180, 200],
};
const OTHER_RGB: [number, number, number] = [170, 190, 210];
export const sensorRgb = (kind: unknown): [number, number, number] =>
  SENSOR_RGB[String(kind ?? '').toUpperCase()] ?? OTHER_RGB;

/** Coverage colour by state: the kind's own when ok or waiting, else the state's. */
export const STALE_RGB: [number, number, number] = [128, 136, 146];
export const OFFLINE_RGB: [number, number, number] = [70, 76, 84];
export const FAULT_RGB: [number, number, number] = [255, 176, 0];
export function stateRgb(kind: string, state: SensorState): [number, number, number] {
  switch (state) {
    case 'stale':
      return STALE_RGB;
    case 'offline':
      return OFFLINE_RGB;
    case 'fault':
      return FAULT_RGB;
    default:
      return sensorRgb(kind);
  }
}

const SCALE = 2; // atlas pixels per CSS pixel
const CELL = 24; // CSS px: room for the dot and the warning mark at its corner
const R = 5; // CSS px: the dot's radius (the old ScatterplotLayer dot was 4 px + outline)

export interface SensorAtlas {
  canvas: HTMLCanvasElement;
  mapping: Record<string, IconMappingEntry>;
  /** CSS pixel size of every icon. */
  size: number;
  name(kind: string, state: SensorState): string;
  dataUrl(kind: string, state: SensorState): string;
}

const rgb = (c: readonly number[], a = 1) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;

function drawMarker(ctx: CanvasRenderingContext2D, c: [number, number, number], state: SensorState): void {
  const m = CELL / 2;
  ctx.save();
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  ctx.arc(m, m, R, 0, Math.PI * 2);
  switch (state) {
    case 'ok':
      ctx.fillStyle = rgb(c);
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.stroke();
      break;
    case 'stale':
      ctx.fillStyle = rgb(STALE_RGB);
      ctx.fill();
      ctx.setLineDash([2, 1.6]);
      ctx.lineWidth = 1.6;
      ctx.strokeStyle = rgb(c);
      ctx.stroke();
      ctx.setLineDash([]);
      warning(ctx, m + 4.5, m - 4.5);
      break;
    case 'offline':
      ctx.fillStyle = rgb(OFFLINE_RGB);
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(m - R - 1, m - R - 1);
      ctx.lineTo(m + R + 1, m + R + 1);
      ctx.moveTo(m + R + 1, m - R - 1);
      ctx.lineTo(m - R - 1, m + R + 1);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ff4d4d';
      ctx.stroke();
      break;
    case 'fault':
      ctx.fillStyle = rgb(FAULT_RGB);
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.stroke();
      ctx.fillStyle = '#000';
      ctx.font = `bold 9px system-ui, "DejaVu Sans", Arial, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('!', m, m + 0.5);
      break;
    case 'waiting':
      ctx.lineWidth = 2;
      ctx.strokeStyle = rgb(c);
      ctx.stroke();
      break;
  }
  ctx.restore();
}

/** A small yellow warning triangle with "!" centred at (x, y). */
function warning(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  const h = 8;
  ctx.beginPath();
  ctx.moveTo(x, y - h / 2);
  ctx.lineTo(x + h / 2 + 0.5, y + h / 2);
  ctx.lineTo(x - h / 2 - 0.5, y + h / 2);
  ctx.closePath();
  ctx.fillStyle = '#ffd21f';
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#000';
  ctx.stroke();
  ctx.fillStyle = '#000';
  ctx.fillRect(x - 0.5, y - 1.8, 1, 3);
  ctx.fillRect(x - 0.5, y + 2, 1, 1);
}

export function buildSensorAtlas(): SensorAtlas {
  const kinds = [...Object.keys(SENSOR_RGB), 'OTHER'];
  const px = CELL * SCALE;
  const canvas = document.createElement('canvas');
  canvas.width = px * SENSOR_STATES.length;
  canvas.height = px * kinds.length;
  const ctx = canvas.getContext('2d')!;
  const mapping: Record<string, IconMappingEntry> = {};
  const urls = new Map<string, string>();
  const cell = document.createElement('canvas');
  cell.width = cell.height = px;
  const cctx = cell.getContext('2d')!;
  kinds.forEach((kind, row) => {
    SENSOR_STATES.forEach((state, col) => {
      cctx.setTransform(1, 0, 0, 1, 0, 0);
      cctx.clearRect(0, 0, px, px);
      cctx.setTransform(SCALE, 0, 0, SCALE, 0, 0);
      drawMarker(cctx, kind === 'OTHER' ? OTHER_RGB : SENSOR_RGB[kind]!, state);
      ctx.drawImage(cell, col * px, row * px);
      const key = `${kind}-${state}`;
      mapping[key] = { x: col * px, y: row * px, width: px, height: px, anchorX: px / 2, anchorY: px / 2, mask: false };
      urls.set(key, cell.toDataURL('image/png'));
    });
  });
  const name = (kind: string, state: SensorState) => `${SENSOR_RGB[kind] ? kind : 'OTHER'}-${state}`;
  return { canvas, mapping, size: CELL, name, dataUrl: (kind, state) => urls.get(name(kind, state)) ?? '' };
}
