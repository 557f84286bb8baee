// dronewall web map: bootstraps the page and wires the live API (docs/live-api.md) to the
// deck.gl map and the panels. Each part has its module:
//
//   login.ts       the sign-in page and the user box; session.ts  the token and the roles
//   connection.ts  the WebSocket (frames, alerts, events, hello)
//   timebar.ts     the time slider, replay frames, play, back to live
//   alertpanel.ts  alerts and their actions, the events log; a replay's alerts (replay.ts)
//   trackpanel.ts  the selection and the selected track's details
//   sensorpanel.ts sensors and feeds, re-read every 2 s;  health.ts  the health banner
//   statusbar.ts   header and status line;  tooltip.ts, legend.ts;  frameclock.ts  frame timing
//   state.ts       what they share: the picture shown, the run, the selection
//   hook.ts        window.dronewall, for browser tests and benchmarks
//
// Live: frames from /ws are drawn as they come. Replay: moving the time slider pauses drawing
// live frames and shows /api/runs/{run_id}/frame?t= instead; "Live" returns to the newest live
// frame. A replay — the slider moved back, or a server that replays a run (hello
// `mode: "replay"`) — is badged REPLAY with its run and data time, and its alert panel holds the
// alerts of the moment shown, rebuilt from the recorded events, not the live ones.

import './style.css';
import { api, type Frame, type Hello, type JsonFrame } from './api';
import { AlertPanel } from './alertpanel';
import { sensorBounds, siteBounds } from './bounds';
import { LiveConnection } from './connection';
import { SignIn } from './login';
import { expired, session, whenExpired } from './session';
import { FrameClock } from './frameclock';
import { HealthMonitor } from './health';
import { installHook } from './hook';
import { buildLegend } from './legend';
import { AirMap, EUROPE_BOUNDS } from './map';
import { SensorPanel } from './sensorpanel';
import { $, params, replaying, setSiteName, view } from './state';
import { renderClock, renderStatus } from './statusbar';
import { Timebar } from './timebar';
import { tooltip } from './tooltip';
import { TrackPanel } from './trackpanel';
import { FrameBuffers, normaliseFrame, Trails } from './tracks';

const liveTrails = new Trails();
const buffers = new FrameBuffers();

function showMapMessage(text: string | null): void {
  const box = $('map-message');
  box.hidden = !text;
  box.textContent = text ?? '';
}

const clock = new FrameClock((gap) => map.adapt(gap));
const map = new AirMap(
  $<HTMLDivElement>('map'),
  {
    tooltip,
    clickTrack: (row) => {
      if (row === null) return;
      const id = view.shown?.id[row];
      if (id !== undefined) tracks.select(id);
    },
    clickSensor: (id) => sensorPanel.select(id),
    rendered: (ms) => clock.rendered(ms),
    error: (m) => showMapMessage(m),
  },
  {
    antialias: params.get('aa') !== '0',
    syncGpu: params.get('gputime') === '1',
    lod: params.has('declutter') ? { declutterAbove: Number(params.get('declutter')) } : {},
    hide: new Set((params.get('hide') ?? '').split(',').filter(Boolean)),
  },
);

let sensorsFitted = false;
const sensorPanel = new SensorPanel(map.sensorAtlas, {
  sensors: (rows) => {
    map.setSensors(rows);
    // The first sensors with a place, registering after the page opened: show them, unless
    // the operator has moved the map already.
    if (!sensorsFitted && !map.userMoved && !params.has('view')) {
      const b = sensorBounds(rows);
      if (b) {
        sensorsFitted = true;
        map.fitTo(b);
      }
    }
  },
  selected: (r) => {
    if (r && r.lon !== null && r.lat !== null) map.panTo(r.lon, r.lat, map.viewState.zoom);
  },
});
const health = new HealthMonitor($('health-banner'));

const alertPanel = new AlertPanel({
  select: (trackId) => tracks.select(trackId, true),
  changed: () => updateStatus(),
});
const tracks = new TrackPanel(map, {
  selected: () => alertPanel.render(),
  alertState: (id) => alertPanel.alerts.get(id)?.state,
});
const timebar = new Timebar({
  draw: (f, trails) => draw(f, trails),
  showLive: () => {
    if (view.liveFrame) draw(view.liveFrame, liveTrails);
  },
  enteredReplay: (t) => {
    alertPanel.history.reset(); // a live run's latest events may have come in since
    alertPanel.history.request(view.runId, t);
  },
  wentLive: () => alertPanel.wentLive(),
  changed: () => {
    renderClock();
    updateStatus();
  },
});

function updateStatus(): void {
  renderStatus(alertPanel.shown().alerts.filter((a) => a.state !== 'cleared').length, map.drawnCounts);
}

// ------------------------------------------------------------------ drawing a frame
function draw(f: Frame, trails: Trails): void {
  clock.drew();
  view.shown = f;
  const arrays = buffers.build(f);
  view.arrays = arrays;
  const { selected } = view;
  map.setTracks(f, arrays, trails, selected === null ? null : (arrays.rowOf.get(selected) ?? null));
  view.counters.drawn++;
  if (replaying()) alertPanel.history.request(f.run_id || view.runId, f.t);
  renderClock();
  updateStatus();
  timebar.updateSlider();
  if (selected !== null) tracks.refresh();
}

function onLiveFrame(raw: Frame | JsonFrame): void {
  const f = normaliseFrame(raw);
  view.counters.received++;
  view.liveFrame = f;
  view.lastSeq = typeof f.seq === 'number' ? f.seq : view.lastSeq + 1;
  if (f.run_id && f.run_id !== view.runId) void timebar.loadRun(f.run_id);
  timebar.extend(f.t, f.t);
  liveTrails.update(f);
  if (view.mode === 'live') scheduleLiveDraw();
  else updateStatus();
}

// Live frames are drawn right away (in the task that received them, so deck.gl updates and
// renders in the next animation frame), but no sooner than twice the time the last draw took
// the browser (so an accelerated replay at 30 frames a second, or a slow software renderer,
// cannot saturate it: the newest frame wins; trails still get every frame).
let liveDrawTimer: number | null = null;
let lastLiveDraw = -Infinity;
function scheduleLiveDraw(): void {
  if (liveDrawTimer !== null) return;
  const gap = Math.max(100, 2 * clock.drawCost);
  const wait = lastLiveDraw + gap - performance.now();
  const run = () => {
    liveDrawTimer = null;
    if (view.mode !== 'live' || !view.liveFrame) return;
    lastLiveDraw = performance.now();
    draw(view.liveFrame, liveTrails);
  };
  if (wait <= 0) run();
  else liveDrawTimer = window.setTimeout(run, wait);
}

function onHello(h: Hello): void {
  view.serverMode = h.mode ?? '';
  if (h.run_id) view.runId = view.runId || h.run_id;
  renderClock();
  alertPanel.render();
  alertPanel.renderEvents();
  timebar.extend(h.t_start ?? NaN, h.t ?? NaN);
  if (h.run_id) void timebar.loadRun(h.run_id);
  updateStatus();
}

const connection = new LiveConnection({
  state: (s) => {
    view.wsState = s;
    updateStatus();
  },
  frame: onLiveFrame,
  rejected: () => view.counters.rejected++,
  alerts: (list) => alertPanel.set(list),
  events: (list) => alertPanel.onEvents(list),
  hello: onHello,
  refused: (code, reason, token) => {
    if (code === 4401 && token !== session.token) connection.resume(); // opened before the last sign-in
    else if (code === 4401) expired(reason || 'the server no longer accepts your sign-in', token);
    else showMapMessage(`Your role cannot see the live picture: ${reason || 'refused by the server'}`);
  },
});

// ------------------------------------------------------------------ signing in
const signIn = new SignIn();
whenExpired((why) => sessionEnded(why));

/** The server stopped accepting the token: stop the live feed and ask for a sign-in; the
 * same user carries on where they were (another user reloads the page: login.ts). */
function sessionEnded(why: string): void {
  if (signIn.showing) return;
  connection.hold();
  void signIn.ask(`Your session has ended (${why}). Sign in again.`).then(() => {
    connection.resume();
    void alertPanel.refresh();
  });
}

$<HTMLInputElement>('toggle-coverage').addEventListener('change', (e) => map.setCoverageVisible((e.target as HTMLInputElement).checked));
$<HTMLInputElement>('toggle-trails').addEventListener('change', (e) => map.setTrailsVisible((e.target as HTMLInputElement).checked));

installHook({
  trackCount: () => view.shown?.n ?? 0,
  frameTimes: () => clock.frameTimes.slice(),
  frameCount: () => clock.count,
  renderTimes: () => clock.renderTimes.slice(),
  lastFrameSeq: () => view.lastSeq,
  selectedTrack: () => view.selected,
  mode: () => view.mode,
  dataTime: () => view.shown?.t ?? null,
  wsState: () => view.wsState,
  alerts: () => [...alertPanel.alerts.values()].map((a) => ({ ...a })),
  select: (id) => tracks.select(id, true),
  position: (id) => {
    const { shown } = view;
    const i = shown ? Array.prototype.indexOf.call(shown.id, id) : -1;
    return shown && i >= 0 ? [shown.lon[i]!, shown.lat[i]!] : null;
  },
  goLive: () => timebar.goLive(),
  counters: () => ({ ...view.counters }),
  drawCost: () => ({ ms: clock.drawCost, budget: map.drawBudget, softwareGl: map.softwareGl }),
  sensors: () => sensorPanel.rows.map((r) => ({ ...r })),
  sensorsOnMap: () => map.drawnSensors,
  sensorPolls: () => sensorPanel.polls,
  selectedSensor: () => sensorPanel.selected,
  selectSensor: (id) => sensorPanel.select(id),
  health: () => ({ ...health.state }),
  replay: replaying,
  shownAlerts: () => {
    const a = alertPanel.shown();
    return { t: a.t, alerts: a.alerts.map((x) => ({ ...x })) };
  },
  user: () => (session.user ? { ...session.user, roles: [...session.user.roles] } : null),
});

async function start(): Promise<void> {
  clock.start();
  buildLegend(map);
  renderClock();
  updateStatus();
  health.start(); // public: the banner works before sign-in too
  await signIn.ready(); // a kept token, a server without sign-in, or the form
  connection.connect();
  void api
    .basemap()
    .then((g) => map.setBasemap(g))
    .catch((e: unknown) => console.warn('basemap', e));
  void alertPanel.refresh();
  void api
    .runs()
    .then((runs) => {
      if (!view.runId && runs.length) void timebar.loadRun(runs[runs.length - 1]!.run_id);
    })
    .catch(() => undefined);
  const [sites] = await Promise.all([api.sites().catch(() => null), sensorPanel.start()]);
  if (sites) {
    for (const f of sites.features ?? []) {
      const p = f.properties ?? {};
      if (p.site_id != null) setSiteName(String(p.site_id), String(p.name ?? p.site_id));
    }
    map.setSites(sites);
    alertPanel.render();
  }
  // ?view=lon,lat,zoom sets the initial view (for tests and benchmarks)
  const v = (params.get('view') ?? '').split(',').map(Number);
  if (v.length === 3 && v.every(Number.isFinite)) {
    map.setView({ longitude: v[0]!, latitude: v[1]!, zoom: v[2]!, pitch: 0, bearing: 0 });
    return;
  }
  const fromSensors = sensorBounds(sensorPanel.rows);
  if (fromSensors) sensorsFitted = true;
  map.fitTo(fromSensors || (sites && siteBounds(sites)) || EUROPE_BOUNDS);
}

void start();
