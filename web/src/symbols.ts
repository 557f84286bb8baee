// APP-6 / MIL-STD-2525 track symbols from milsymbol, drawn once into one icon atlas: one cell
// per (class, standard identity) pair, every symbol centred on its cell so all icons share one
// size and anchor. Letter SIDCs (2525C / APP-6B): S <identity> A (air) P (present) <function>.

import ms from 'milsymbol';
import type { Affil } from './api';

export const CLASSES = ['DRONE', 'BIRD', 'AIRCRAFT', 'UNKNOWN'] as const;
export const AFFILS: readonly Affil[] = ['F', 'H', 'S', 'N', 'U'];

export const CLASS_LABEL: Record<string, string> = {
  DRONE: 'Drone (UAV)',
  BIRD: 'Bird',
  AIRCRAFT: 'Aircraft (civil fixed wing)',
  UNKNOWN: 'Unknown air object',
};
export const AFFIL_LABEL: Record<string, string> = {
  F: 'friend',
  H: 'hostile',
  S: 'suspect',
  N: 'neutral',
  U: 'unknown',
};
/** milsymbol's "Light" fill colours, used for trails, heading ticks and the legend. */
export const AFFIL_RGB: Record<string, [number, number, number]> = {
  F: [128, 224, 255],
  H: [255, 128, 128],
  S: [255, 229, 153],
  N: [170, 255, 170],
  U: [255, 255, 128],
};

const FUNCTION_ID: Record<string, string> = {
  DRONE: 'MFQ---', // military fixed wing, drone (RPV/UAV)
  AIRCRAFT: 'CF----', // civilian fixed wing
  UNKNOWN: '------', // air track
  BIRD: '------', // air track, drawn smaller and paler
};

export function sidc(cls: string, affil: string): string {
  const a = AFFIL_RGB[affil] ? affil : 'U';
  return `S${a}AP${FUNCTION_ID[cls] ?? '------'}-----`;
}

export function classIndex(cls: string): number {
  switch (cls) {
    case 'DRONE':
      return 0;
    case 'BIRD':
      return 1;
    case 'AIRCRAFT':
      return 2;
    default:
      return 3;
  }
}
export function affilIndex(affil: string): number {
  switch (affil) {
    case 'F':
      return 0;
    case 'H':
      return 1;
    case 'S':
      return 2;
    case 'N':
      return 3;
    default:
      return 4;
  }
}
/** Icon number of a (class, identity) pair: index into `IconAtlas.names`. */
export function iconIndex(cls: string, affil: string): number {
  return classIndex(cls) * AFFILS.length + affilIndex(affil);
}

export interface IconMappingEntry {
  x: number;
  y: number;
  width: number;
  height: number;
  anchorX: number;
  anchorY: number;
  mask: boolean;
}

export interface IconAtlas {
  canvas: HTMLCanvasElement;
  mapping: Record<string, IconMappingEntry>;
  names: string[]; // by iconIndex
  /** Height in CSS pixels of every icon (all share one height, so one IconLayer size fits). */
  height: number;
  /** data: URL of one symbol, for the legend and the track panel. */
  dataUrl(cls: string, affil: string): string;
}

const SCALE = 2; // atlas pixels per CSS pixel, for sharp symbols on high-DPI screens
const SYMBOL_SIZE = 20; // milsymbol "size": an air frame is roughly this many CSS px tall

export function buildAtlas(): IconAtlas {
  const parts: { name: string; canvas: HTMLCanvasElement; anchor: { x: number; y: number } }[] = [];
  for (const cls of CLASSES) {
    for (const affil of AFFILS) {
      const bird = cls === 'BIRD';
      const sym = new ms.Symbol(sidc(cls, affil), {
        size: bird ? SYMBOL_SIZE * 0.7 : SYMBOL_SIZE,
        fillOpacity: bird ? 0.45 : 1,
        civilianColor: false,
        outlineWidth: 2,
        outlineColor: 'rgba(0,0,0,0.75)',
        infoFields: false,
      });
      const canvas = sym.asCanvas(SCALE);
      const a = sym.getAnchor();
      parts.push({ name: `${cls}-${affil}`, canvas, anchor: { x: a.x * SCALE, y: a.y * SCALE } });
    }
  }
  // One row per symbol kind: tight width, a shared height, the symbol's anchor at the centre of
  // its box (the box is what the GPU fills, so no more than needed).
  let halfH = 0;
  for (const p of parts) halfH = Math.max(halfH, p.anchor.y, p.canvas.height - p.anchor.y);
  const h = Math.ceil(halfH * 2) + 2;
  const boxes = parts.map((p) => Math.ceil(2 * Math.max(p.anchor.x, p.canvas.width - p.anchor.x)) + 2);
  const cols = AFFILS.length;
  const rowWidths: number[] = [];
  for (let i = 0; i < parts.length; i += cols) rowWidths.push(boxes.slice(i, i + cols).reduce((x, y) => x + y, 0));
  const atlas = document.createElement('canvas');
  atlas.width = Math.max(...rowWidths);
  atlas.height = h * Math.ceil(parts.length / cols);
  const ctx = atlas.getContext('2d')!;
  const mapping: Record<string, IconMappingEntry> = {};
  const names: string[] = [];
  const urls = new Map<string, string>();
  let x = 0;
  parts.forEach((p, i) => {
    if (i % cols === 0) x = 0;
    const y = Math.floor(i / cols) * h;
    const w = boxes[i]!;
    ctx.drawImage(p.canvas, Math.round(x + w / 2 - p.anchor.x), Math.round(y + h / 2 - p.anchor.y));
    mapping[p.name] = { x, y, width: w, height: h, anchorX: w / 2, anchorY: h / 2, mask: false };
    names.push(p.name);
    urls.set(p.name, p.canvas.toDataURL('image/png'));
    x += w;
  });
  return {
    canvas: atlas,
    mapping,
    names,
    height: h / SCALE,
    dataUrl: (cls, affil) => urls.get(`${CLASSES.includes(cls as never) ? cls : 'UNKNOWN'}-${AFFIL_RGB[affil] ? affil : 'U'}`) ?? '',
  };
}
