// Browser-side decode cost of a picture frame, estimated in Node (bench/bench_wire.py):
// JSON (TextDecoder + JSON.parse, as the map reads JSON frames), DWC1 (the map's reader,
// web/src/api.ts decodeColumns), Arrow IPC (apache-arrow tableFromIPC, every column read out:
// numbers as typed arrays, dictionary text as string arrays like the DWC1 reader makes).
// Usage: node wire_decode.mjs DIR ARROW_MODULE REPEAT  → JSON {json, dwc1, arrow}: [median, best] ms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, arrowModule, repeatText] = process.argv.slice(2);
const repeat = Number(repeatText);
const { tableFromIPC } = await import(pathToFileURL(arrowModule).href);
const utf8 = new TextDecoder();
const load = (name) => {
  const b = readFileSync(join(dir, name));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

const VIEWS = {
  f8: (b, o, n) => new Float64Array(b, o, n),
  f4: (b, o, n) => new Float32Array(b, o, n),
  u1: (b, o, n) => new Uint8Array(b, o, n),
  u2: (b, o, n) => new Uint16Array(b, o, n),
  u4: (b, o, n) => new Uint32Array(b, o, n),
};
function decodeDwc1(buf) {
  const dv = new DataView(buf);
  const length = dv.getUint32(4, true);
  const header = JSON.parse(utf8.decode(new Uint8Array(buf, 8, length)));
  const n = header.n;
  const body = 8 + length;
  const out = { ...header };
  delete out.columns;
  for (const c of header.columns) {
    const values = VIEWS[c.dtype](buf, body + c.offset, n);
    if (c.values) {
      const text = new Array(n);
      for (let i = 0; i < n; i++) text[i] = c.values[values[i]] ?? '';
      out[c.name] = text;
    } else out[c.name] = values;
  }
  return out;
}
function decodeArrow(buf) {
  const table = tableFromIPC(new Uint8Array(buf));
  const out = JSON.parse(table.schema.metadata.get('frame'));
  for (const field of table.schema.fields) {
    const column = table.getChild(field.name);
    if (field.type.dictionary) {
      const data = column.data[0];
      const names = data.dictionary.toArray();
      const codes = data.values;
      const text = new Array(codes.length);
      for (let i = 0; i < codes.length; i++) text[i] = names[codes[i]] ?? '';
      out[field.name] = text;
    } else out[field.name] = column.toArray();
  }
  return out;
}
const decoders = {
  json: (buf) => JSON.parse(utf8.decode(buf)),
  dwc1: decodeDwc1,
  arrow: decodeArrow,
};
const result = {};
for (const [name, decode] of Object.entries(decoders)) {
  const buf = load(`frame.${name}`);
  const frame = decode(buf);
  if (frame.n !== frame.id.length || frame.cls.length !== frame.n) throw new Error(`${name}: bad decode`);
  for (let i = 0; i < 5; i++) decode(buf);
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    decode(buf);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  result[name] = [times[Math.floor(times.length / 2)], times[0]];
}
process.stdout.write(JSON.stringify(result));
