// Dev only: a tiny stand-in for `dronewall serve`, following docs/live-api.md, so the map can be
// developed before the real server exists. Not shipped, not used by tests.
//
//   node dev/mock-server.mjs [--port 8765] [--tracks 300] [--static ../src/dronewall/server/static]
//
// Tracks are a deterministic function of data time, so `/api/runs/{id}/frame?t=` can answer any
// instant of the run without storing frames. Basemap and sites come from web/dev/.cache/ (made
// by make-fixtures.py with the project's venv); without them a crude stand-in is served.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const PORT = Number(args.port ?? 8765);
const N = Number(args.tracks ?? 300);
const STATIC = resolve(args.static ?? join(here, '..', '..', 'src', 'dronewall', 'server', 'static'));
const RUN_ID = 'r-mock-0001';
const T0 = Date.parse('2025-09-22T18:15:00Z') / 1000;
const WALL0 = Date.now() / 1000;
const BACKFILL_S = Number(args.backfill ?? 900); // the run "started" this long before now

// ---------------------------------------------------------------- fixtures
function loadFixtures() {
  const cache = join(here, '.cache');
  if (!existsSync(join(cache, 'basemap.json'))) {
    const py = join(here, '..', '..', '.venv', 'bin', 'python');
    if (existsSync(py)) spawnSync(py, [join(here, 'make-fixtures.py')], { stdio: 'inherit' });
  }
  let basemap;
  let sites;
  try {
    basemap = JSON.parse(readFileSync(join(cache, 'basemap.json'), 'utf8'));
    sites = JSON.parse(readFileSync(join(cache, 'sites.json'), 'utf8'));
  } catch {
    basemap = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'stand-in land' },
          geometry: { type: 'Polygon', coordinates: [[[8, 54.5], [12.4, 54.5], [12.4, 57.8], [8, 57.8], [8, 54.5]]] },
        },
      ],
    };
    sites = { type: 'FeatureCollection', features: [] };
  }
  sites.features.push({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [12.656, 55.618] },
    properties: { site_id: 'EKCH', name: 'Copenhagen Airport', kind: 'airport', radius_m: 5000 },
  });
  return { basemap, sites };
}
const { basemap, sites } = loadFixtures();

const SENSORS = [
  ['ekch-radar-1', 'RADAR', 12.70, 55.63, 20000],
  ['ekch-radar-2', 'RADAR', 12.60, 55.60, 20000],
  ['ekch-rf-1', 'RF', 12.66, 55.61, 10000],
  ['ekch-eoir-1', 'EOIR', 12.64, 55.625, 6000],
  ['ekch-acoustic-1', 'ACOUSTIC', 12.67, 55.605, 2000],
  ['ekch-acoustic-2', 'ACOUSTIC', 12.63, 55.615, 2000],
  ['coast-radar-1', 'RADAR', 12.95, 55.40, 60000],
  ['rid-1', 'REMOTE_ID', 12.58, 55.676, 5000],
  ['adsb-1', 'ADSB', 12.5, 55.7, 250000],
];
const sensors = {
  type: 'FeatureCollection',
  features: SENSORS.map(([sensor_id, kind, lon, lat, max_range_m]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { sensor_id, kind, max_range_m },
  })),
};

// ---------------------------------------------------------------- deterministic tracks
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const EKCH = [12.656, 55.618];
const BOX = N > 2000 ? [4, 52, 22, 60] : [9, 54.3, 15.5, 57.5]; // lon0 lat0 lon1 lat1
const KINDS = ['ONE_WAY_ATTACK', 'DECOY', 'QUADCOPTER', 'RECON_FIXED_WING'];
const M_PER_DEG = 111320;

// slot -> static properties
const slots = [];
for (let k = 0; k < N; k++) {
  const r = rng(1000 + k);
  const u = r();
  const cls = u < 0.06 ? 'DRONE' : u < 0.6 ? 'BIRD' : u < 0.9 ? 'AIRCRAFT' : 'UNKNOWN';
  slots.push({ cls, life: 300 + Math.floor(r() * 900), offset: Math.floor(r() * 1200) });
}

/** Row of slot k at data time t, or null when the slot is between generations. */
function trackAt(k, t) {
  const s = slots[k];
  const age0 = t - T0 + s.offset;
  const gen = Math.floor(age0 / s.life);
  const age = age0 - gen * s.life;
  if (age > s.life - 20) return null; // a gap between generations: the track disappears
  const id = 1 + k + N * gen;
  const r = rng(id * 7919);
  const cls = s.cls;
  let lon;
  let lat;
  let speed;
  let course;
  let alt;
  let kind = '';
  let ident = '';
  if (cls === 'DRONE') {
    kind = KINDS[Math.floor(r() * KINDS.length)];
    const friendly = r() < 0.15;
    speed = kind === 'QUADCOPTER' ? 12 + r() * 8 : 25 + r() * 20;
    alt = 80 + r() * 400;
    const radius = 3000 + r() * 12000;
    const phase = r() * Math.PI * 2;
    const w = (speed / radius) * (r() < 0.5 ? 1 : -1);
    const a = phase + w * age;
    const centre = r() < 0.7 ? EKCH : [BOX[0] + r() * (BOX[2] - BOX[0]), BOX[1] + r() * (BOX[3] - BOX[1])];
    const cosLat = Math.cos((centre[1] * Math.PI) / 180);
    lon = centre[0] + (radius * Math.sin(a)) / (M_PER_DEG * cosLat);
    lat = centre[1] + (radius * Math.cos(a)) / M_PER_DEG;
    course = ((((a + (w > 0 ? Math.PI / 2 : -Math.PI / 2)) * 180) / Math.PI) % 360 + 360) % 360;
    const dEKCH = Math.hypot((lon - EKCH[0]) * M_PER_DEG * cosLat, (lat - EKCH[1]) * M_PER_DEG);
    const pd = 0.75 + r() * 0.24;
    const prio = friendly ? 0 : Math.max(0, Math.min(99, 100 - dEKCH / 250));
    return row(id, lat, lon, alt, speed, course, cls, [pd, (1 - pd) * 0.5, 0, (1 - pd) * 0.5], kind,
      friendly ? 'F' : prio > 40 ? 'H' : 'S', prio, prio > 0 ? 'EKCH' : '', prio > 0 ? Math.max(0, (dEKCH - 5000) / speed) : null,
      friendly ? 'RID-DK-' + (1000 + (id % 9000)) : '');
  }
  // straight movers that wrap around the box
  const lon0 = BOX[0] + r() * (BOX[2] - BOX[0]);
  const lat0 = BOX[1] + r() * (BOX[3] - BOX[1]);
  course = r() * 360;
  speed = cls === 'BIRD' ? 8 + r() * 10 : cls === 'AIRCRAFT' ? 120 + r() * 130 : 20 + r() * 60;
  alt = cls === 'BIRD' ? 50 + r() * 300 : cls === 'AIRCRAFT' ? 3000 + r() * 9000 : 200 + r() * 2000;
  const c = (course * Math.PI) / 180;
  const cosLat = Math.cos((lat0 * Math.PI) / 180);
  lon = lon0 + (speed * age * Math.sin(c)) / (M_PER_DEG * cosLat);
  lat = lat0 + (speed * age * Math.cos(c)) / M_PER_DEG;
  const wl = BOX[2] - BOX[0];
  const wa = BOX[3] - BOX[1];
  lon = BOX[0] + ((((lon - BOX[0]) % wl) + wl) % wl);
  lat = BOX[1] + ((((lat - BOX[1]) % wa) + wa) % wa);
  if (cls === 'AIRCRAFT') ident = (0x400000 + (id % 0x3fffff)).toString(16);
  const p = cls === 'BIRD' ? [0.05, 0.9, 0, 0.05] : cls === 'AIRCRAFT' ? [0, 0, 1, 0] : [0.3, 0.1, 0.1, 0.5];
  return row(id, lat, lon, alt, speed, course, cls, p, '', cls === 'UNKNOWN' ? 'U' : 'N', 0, '', null, ident);
}

function row(id, lat, lon, alt, speed, course, cls, p, kind, affil, prio, site, tts, ident) {
  return { id, lat, lon, alt, speed, course, climb: 0, sigma: cls === 'AIRCRAFT' ? 80 : 35, cls,
    p_drone: p[0], p_bird: p[1], p_aircraft: p[2], p_unknown: p[3], kind, affil, prio, site, tts, ident };
}

const COLS = ['id', 'lat', 'lon', 'alt', 'speed', 'course', 'climb', 'sigma', 'cls', 'p_drone', 'p_bird',
  'p_aircraft', 'p_unknown', 'kind', 'affil', 'prio', 'site', 'tts', 'ident'];
const r3 = (x) => Math.round(x * 1000) / 1000;
const r6 = (x) => Math.round(x * 1e6) / 1e6;

function rowsAt(t) {
  const rows = [];
  for (let k = 0; k < N; k++) {
    const tr = trackAt(k, t);
    if (tr) rows.push(tr);
  }
  return rows;
}

let seq = 0;
function frameAt(t, withSeq) {
  const rows = rowsAt(t);
  const f = { type: 'frame', run_id: RUN_ID, t, seq: withSeq ? ++seq : 0,
    wall_ingest: Date.now() / 1000 - 0.08, wall_sent: Date.now() / 1000, n: rows.length };
  for (const c of COLS) {
    f[c] = rows.map((r) => {
      const v = r[c];
      if (typeof v !== 'number') return v;
      return c === 'lat' || c === 'lon' ? r6(v) : r3(v);
    });
  }
  f.alert = rows.map((r) => (alerts.has(r.id) && alerts.get(r.id).state !== 'cleared' ? r.id : 0));
  return f;
}

// ---------------------------------------------------------------- alerts
const alerts = new Map(); // alert_id (= track id here) -> alert
let nowT = T0 + BACKFILL_S;
const pendingEvents = [];
function event(kind, a, message) {
  const ev = { kind, t: nowT, alert_id: a.alert_id, track_id: a.track_id, site_id: a.site_id,
    priority: a.priority, state: a.state, message };
  pendingEvents.push(ev);
  a.events ??= [];
  a.events.push(ev);
}
function updateAlerts(rows) {
  const seen = new Set();
  for (const r of rows) {
    if (r.cls !== 'DRONE' || r.prio < 60) continue;
    seen.add(r.id);
    let a = alerts.get(r.id);
    if (!a) {
      a = { alert_id: r.id, track_id: r.id, state: 'new', site_id: r.site, priority: r3(r.prio),
        time_to_site_s: r.tts, t_raised: nowT, t_updated: nowT,
        reasons: `P(drone) ${r.p_drone.toFixed(2)}; ${r.kind.toLowerCase()} within ${((100 - r.prio) * 0.25).toFixed(1)} km of ${r.site}` };
      alerts.set(r.id, a);
      event('raised', a, `drone track ${r.id} threatens ${r.site}`);
    } else if (a.state !== 'cleared') {
      a.priority = r3(r.prio);
      a.time_to_site_s = r.tts === null ? null : r3(r.tts);
      a.t_updated = nowT;
    }
  }
  for (const a of alerts.values()) {
    if (a.state !== 'cleared' && !seen.has(a.alert_id) && nowT - a.t_updated > 30) {
      a.state = 'cleared';
      a.t_updated = nowT;
      event('auto-cleared', a, `track ${a.track_id} gone or no longer a threat`);
    }
  }
}
const alertJson = (a) => {
  const { events: _e, ...rest } = a;
  return rest;
};
function alertList(includeCleared) {
  return [...alerts.values()].filter((a) => includeCleared || a.state !== 'cleared')
    .sort((x, y) => y.priority - x.priority).map(alertJson);
}

// ---------------------------------------------------------------- http
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
function send(res, code, body, type = 'application/json') {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(data);
}
function runInfo(full) {
  const info = { run_id: RUN_ID, source: `mock server: synthetic Copenhagen picture, ${N} track slots`,
    t_start: T0, t_end: nowT, wall_started: WALL0, frames: Math.round(nowT - T0) + 1 };
  if (full) Object.assign(info, { t_first_frame: T0, t_last_frame: nowT });
  return info;
}
function readBody(req) {
  return new Promise((ok) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', () => ok(s));
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  let m;
  if (p === '/api/health') return send(res, 200, { status: 'ok', run_id: RUN_ID, t: nowT, mode: 'live' });
  if (p === '/api/runs') return send(res, 200, [runInfo(false)]);
  if ((m = p.match(/^\/api\/runs\/([^/]+)$/))) return m[1] === RUN_ID ? send(res, 200, runInfo(true)) : send(res, 404, { detail: 'unknown run' });
  if ((m = p.match(/^\/api\/runs\/([^/]+)\/frame$/))) {
    const t = Math.floor(Number(url.searchParams.get('t')));
    if (!Number.isFinite(t)) return send(res, 422, { detail: 't required' });
    return send(res, 200, frameAt(Math.max(T0, Math.min(nowT, t)), false));
  }
  if ((m = p.match(/^\/api\/runs\/([^/]+)\/events$/))) {
    const t0 = Number(url.searchParams.get('t0') ?? -Infinity);
    const t1 = Number(url.searchParams.get('t1') ?? Infinity);
    const evs = [...alerts.values()].flatMap((a) => a.events ?? []).filter((e) => e.t >= t0 && e.t <= t1);
    return send(res, 200, evs.sort((a, b) => a.t - b.t));
  }
  if (p === '/api/tracks') return send(res, 200, frameAt(nowT, false));
  if ((m = p.match(/^\/api\/tracks\/(\d+)$/))) {
    const id = Number(m[1]);
    const k = (id - 1) % N;
    const tr = trackAt(k, nowT);
    if (!tr || tr.id !== id) return send(res, 404, { detail: `track ${id} not in the picture` });
    const out = { ...tr, t: nowT, alert: alerts.has(id) && alerts.get(id).state !== 'cleared' ? id : 0,
      p: { drone: tr.p_drone, bird: tr.p_bird, aircraft: tr.p_aircraft, unknown: tr.p_unknown },
      class_reasons: tr.cls === 'DRONE' ? 'RF emission matches a drone control link; speed and radar cross-section fit a small UAV'
        : tr.cls === 'BIRD' ? 'slow, low, erratic flight; micro-Doppler wing beat' : tr.cls === 'AIRCRAFT' ? `ADS-B ${tr.ident}` : 'too few reports to tell',
      threat_reasons: tr.prio > 0 ? `heading for ${tr.site}; time to site ${tr.tts === null ? '—' : Math.round(tr.tts) + ' s'}` : '' };
    return send(res, 200, out);
  }
  if (p === '/api/alerts') return send(res, 200, alertList(url.searchParams.get('include_cleared') === 'true'));
  if ((m = p.match(/^\/api\/alerts\/(\d+)\/(acknowledge|engage|clear)$/)) && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)) || '{}');
    const a = alerts.get(Number(m[1]));
    if (!a) return send(res, 404, { detail: 'unknown alert' });
    const allowed = { acknowledge: ['new'], engage: ['acknowledged'], clear: ['new', 'acknowledged', 'engaged'] }[m[2]];
    if (!allowed.includes(a.state)) return send(res, 409, { detail: `cannot ${m[2]} a ${a.state} alert` });
    a.state = { acknowledge: 'acknowledged', engage: 'engaged', clear: 'cleared' }[m[2]];
    a.t_updated = nowT;
    event(m[2] === 'clear' ? 'cleared' : a.state, a, `${m[2]} by ${body.operator ?? '?'}`);
    broadcastAlerts();
    return send(res, 200, alertJson(a));
  }
  if (p === '/api/sites') return send(res, 200, sites);
  if (p === '/api/sensors') return send(res, 200, sensors);
  if (p === '/api/basemap') return send(res, 200, basemap);
  if (p === '/api/summary') return send(res, 200, { tracks: lastFrame?.n ?? 0, active_alerts: alertList(false).length });
  // static
  const rel = normalize(p === '/' ? '/index.html' : decodeURIComponent(p));
  const file = join(STATIC, rel);
  if (file.startsWith(STATIC) && existsSync(file) && statSync(file).isFile()) {
    return send(res, 200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
  }
  send(res, 404, { detail: 'not found' });
});

// ---------------------------------------------------------------- websocket
const wss = new WebSocketServer({ server, path: '/ws' });
let lastFrame = null;
let lastFrameText = '';
function broadcastAlerts() {
  const msg = JSON.stringify({ type: 'alerts', alerts: alertList(false) });
  for (const c of wss.clients) if (c.readyState === 1) c.send(msg);
}
wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'hello', run_id: RUN_ID, mode: 'live', t_start: T0, t: nowT,
    sites_url: '/api/sites', sensors_url: '/api/sensors' }));
  if (lastFrameText) ws.send(Buffer.from(lastFrameText, 'utf8'), { binary: true });
  ws.send(JSON.stringify({ type: 'alerts', alerts: alertList(false) }));
  ws.on('message', (d) => {
    try {
      if (JSON.parse(String(d)).type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    } catch { /* ignore */ }
  });
});

// backfill alerts over the run so far, then tick at 1 Hz
for (let t = T0; t <= nowT; t += 10) {
  const keep = nowT;
  nowT = t;
  updateAlerts(rowsAt(t));
  nowT = keep;
}
pendingEvents.length = 0;
function tick() {
  const t0 = performance.now();
  nowT += 1;
  lastFrame = frameAt(nowT, true);
  const rows = rowsAt(nowT);
  const before = JSON.stringify(alertList(false).map((a) => [a.alert_id, a.state]));
  updateAlerts(rows);
  lastFrameText = JSON.stringify(lastFrame);
  const bytes = Buffer.from(lastFrameText, 'utf8'); // frames go out as binary messages (UTF-8 JSON)
  for (const c of wss.clients) {
    if (c.readyState !== 1) continue;
    if (c.bufferedAmount > 8e6) continue; // conflate: a slow client skips this frame
    c.send(bytes, { binary: true });
  }
  if (pendingEvents.length) {
    const msg = JSON.stringify({ type: 'events', events: pendingEvents.splice(0) });
    for (const c of wss.clients) if (c.readyState === 1) c.send(msg);
  }
  if (JSON.stringify(alertList(false).map((a) => [a.alert_id, a.state])) !== before) broadcastAlerts();
  if (args.verbose) console.log(`t=${nowT} n=${lastFrame.n} ${(performance.now() - t0).toFixed(1)} ms ${lastFrameText.length} B`);
}
tick();
setInterval(tick, 1000);
server.listen(PORT, '127.0.0.1', () => {
  console.log(`mock dronewall server on http://127.0.0.1:${PORT}/ (static ${STATIC}, ${N} track slots)`);
});
