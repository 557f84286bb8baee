// dronewall web map: wires the live API (docs/live-api.md) to the deck.gl map and the panels.
//
// Live: `frame` messages from /ws are drawn as they come; `alerts` / `events` messages drive the
// alert panel. Replay: moving the time slider pauses drawing live frames and shows
// /api/runs/{run_id}/frame?t= instead; "Live" returns to the newest live frame. A replay —
// the slider moved back, or a server that replays a run (hello `mode: "replay"`) — is badged
// REPLAY with its run and data time, and its alert panel holds the alerts of the moment shown,
// rebuilt from the recorded events (replay.ts), not the live ones.
//
// Around them: the sensors panel, re-read every 2 s (sensorpanel.ts), and the health banner
// (health.ts).
//
// window.dronewall is a small hook for browser tests and benchmarks (see DronewallHook).

import './style.css';
import { api, decodeColumns, HttpError, isColumnFrame, runBounds, type Alert, type AlertEvent, type Frame, type Hello, type PointFeature, type RunInfo, type TrackDetail } from './api';
import { compass, duration, el, esc, fixed, kindLabel, prioClass, sensorKinds, utcDateTime, utcTime } from './format';
import { HealthMonitor, type HealthState } from './health';
import { AirMap, EUROPE_BOUNDS, type Hovered } from './map';
import { HistoricAlerts, withFrame, type HistoricPicture } from './replay';
import { SENSOR_RGB } from './sensoricons';
import { SensorPanel } from './sensorpanel';
import { age, kindName, rate, SENSOR_STATES, STATE_LABEL, type SensorRow } from './sensors';
import { AFFIL_LABEL, AFFIL_RGB, CLASS_LABEL } from './symbols';
import { FrameBuffers, normaliseFrame, Trails, type ClassCounts, type FrameArrays } from './tracks';

type Mode = 'live' | 'replay';
type WsState = 'connecting' | 'open' | 'closed';

export interface DronewallHook {
  trackCount(): number;
  /** Recent frame intervals in ms, measured with requestAnimationFrame (oldest first). */
  frameTimes(): number[];
  /** Number of requestAnimationFrame callbacks since the page loaded. */
  frameCount(): number;
  /** Recent deck.gl render durations (CPU side) in ms. */
  renderTimes(): number[];
  lastFrameSeq(): number;
  selectedTrack(): number | null;
  mode(): Mode;
  /** Data time of the picture shown (POSIX s), or null before the first frame. */
  dataTime(): number | null;
  wsState(): WsState;
  alerts(): Alert[];
  select(trackId: number | null): void;
  /** [lon, lat] of a track in the picture shown, or null when it is not in it. */
  position(trackId: number): [number, number] | null;
  goLive(): void;
  /** Frames received over the WebSocket, and frames drawn. */
  counters(): { received: number; drawn: number; replayFetched: number; rejected: number };
  /** The longest animation-frame gap after recent draws (EMA, ms) and the share of the symbol
   * and trail budgets the map is using because of it (1 = all). */
  drawCost(): { ms: number; budget: number; softwareGl: boolean };
  /** Sensors as last read from the server, problem sensors first. */
  sensors(): SensorRow[];
  /** Sensors drawn on the map (those with a position): id, state, lon, lat. */
  sensorsOnMap(): { id: string; state: string; lon: number; lat: number }[];
  /** How many times the sensors have been read. */
  sensorPolls(): number;
  selectedSensor(): string | null;
  selectSensor(id: string | null): void;
  /** The health banner's state (performance.now() times). */
  health(): HealthState;
  /** Whether a replay is shown (the slider moved back, or the server replays a run). */
  replay(): boolean;
  /** The alerts in the alert panel and the data time they belong to (null: the live ones). */
  shownAlerts(): { t: number | null; alerts: Alert[] };
}

declare global {
  interface Window {
    dronewall: DronewallHook;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ------------------------------------------------------------------ state
let mode: Mode = 'live';
let wsState: WsState = 'connecting';
let serverMode = '';
let runId = '';
let runSource = '';
let bounds: [number, number] = [NaN, NaN];
let liveFrame: Frame | null = null;
let shown: Frame | null = null;
let arrays: FrameArrays | null = null;
let lastSeq = -1;
let replayT = NaN;
let lastReplayT = NaN;
let playing: number | null = null;
let selected: number | null = null;
let detail: TrackDetail | null = null;
let detailFor: number | null = null;
let detailError = '';
let detailAbort: AbortController | null = null;
const counters = { received: 0, drawn: 0, replayFetched: 0, rejected: 0 };
const alerts = new Map<number, Alert>();
const recentlyCleared = new Map<number, number>(); // alert id -> wall ms when cleared here
const events: AlertEvent[] = [];
let historic: HistoricPicture | null = null; // the alerts of the replayed moment
const siteNames = new Map<string, string>();
const liveTrails = new Trails();
const replayTrails = new Trails();
const buffers = new FrameBuffers();
const FRAME_TIMES = 600;
const frameTimes: number[] = [];
const renderTimes: number[] = [];
let showTrails = true;

const mapDiv = $<HTMLDivElement>('map');
const slider = $<HTMLInputElement>('time-slider');
const liveButton = $<HTMLButtonElement>('live-button');
const playButton = $<HTMLButtonElement>('play-button');

function showMapMessage(text: string | null): void {
  const box = $('map-message');
  box.hidden = !text;
  box.textContent = text ?? '';
}

const params = new URLSearchParams(window.location.search);
const map = new AirMap(mapDiv, {
  tooltip: (h) => tooltip(h),
  clickTrack: (row) => {
    if (row === null) return;
    const id = shown?.id[row];
    if (id !== undefined) select(id);
  },
  clickSensor: (id) => sensorPanel.select(id),
  rendered: (ms) => {
    renderTimes.push(ms);
    if (renderTimes.length > FRAME_TIMES) renderTimes.splice(0, renderTimes.length - FRAME_TIMES);
  },
  error: (m) => showMapMessage(m),
}, {
  antialias: params.get('aa') !== '0',
  syncGpu: params.get('gputime') === '1',
  lod: params.has('declutter') ? { declutterAbove: Number(params.get('declutter')) } : {},
  hide: new Set((params.get('hide') ?? '').split(',').filter(Boolean)),
});

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
const historicAlerts = new HistoricAlerts((p) => {
  historic = p;
  renderAlerts();
  renderEvents();
  updateStatus();
});

/** Is a replay on screen: the slider moved back, or the server replays a recorded run? */
function replaying(): boolean {
  return mode === 'replay' || serverMode === 'replay';
}

// ------------------------------------------------------------------ frame timing
let lastRaf = 0;
let rafCount = 0;
let drawCost = 0; // ms: the longest animation-frame gap just after a draw (EMA)
let measureFrom = -1; // rAF count from which to watch the gaps after a draw
let worstGap = 0;
const DRAW_FRAMES = 4; // a software renderer's stall can land a frame or two after the draw
function rafLoop(now: number): void {
  rafCount++;
  if (lastRaf) {
    if (measureFrom >= 0 && rafCount >= measureFrom) {
      worstGap = Math.max(worstGap, now - lastRaf);
      if (rafCount === measureFrom + DRAW_FRAMES - 1) {
        drawCost = drawCost ? 0.7 * drawCost + 0.3 * worstGap : worstGap;
        map.adapt(worstGap);
        measureFrom = -1;
        worstGap = 0;
      }
    }
    frameTimes.push(now - lastRaf);
    if (frameTimes.length > FRAME_TIMES) frameTimes.splice(0, frameTimes.length - FRAME_TIMES);
  }
  lastRaf = now;
  requestAnimationFrame(rafLoop);
}
requestAnimationFrame(rafLoop);

// ------------------------------------------------------------------ drawing a frame
function draw(f: Frame, trails: Trails): void {
  measureFrom = rafCount + 2; // deck.gl renders in the next animation frame; the gaps after it are its cost
  worstGap = 0;
  shown = f;
  arrays = buffers.build(f);
  map.setTracks(f, arrays, trails, selected === null ? null : (arrays.rowOf.get(selected) ?? null));
  counters.drawn++;
  if (replaying()) historicAlerts.request(f.run_id || runId, f.t);
  updateClock();
  updateStatus();
  updateSlider();
  if (selected !== null) refreshTrack();
}

function onLiveFrame(raw: Frame): void {
  const f = normaliseFrame(raw);
  counters.received++;
  liveFrame = f;
  lastSeq = typeof f.seq === 'number' ? f.seq : lastSeq + 1;
  if (f.run_id && f.run_id !== runId) loadRun(f.run_id);
  if (Number.isFinite(f.t)) {
    if (!Number.isFinite(bounds[0]) || f.t < bounds[0]) bounds[0] = f.t;
    if (!Number.isFinite(bounds[1]) || f.t > bounds[1]) bounds[1] = f.t;
  }
  liveTrails.update(f);
  if (mode === 'live') scheduleLiveDraw();
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
  const gap = Math.max(100, 2 * drawCost);
  const wait = lastLiveDraw + gap - performance.now();
  const run = () => {
    liveDrawTimer = null;
    if (mode !== 'live' || !liveFrame) return;
    lastLiveDraw = performance.now();
    draw(liveFrame, liveTrails);
  };
  if (wait <= 0) run();
  else liveDrawTimer = window.setTimeout(run, wait);
}

function updateSelectionRing(): void {
  if (selected === null || !shown || !arrays) return map.setSelection(null);
  map.setSelection(arrays.rowOf.get(selected) ?? null);
}

// ------------------------------------------------------------------ header, clock, status
function updateClock(): void {
  $('data-time').textContent = shown ? `${utcDateTime(shown.t)} UTC` : '—';
  const replay = replaying();
  const badge = $('mode-badge');
  badge.textContent = replay ? 'REPLAY' : 'LIVE';
  badge.className = `badge ${replay ? 'replay' : 'live'}`;
  badge.title = replay
    ? mode === 'replay'
      ? 'A recorded moment: the slider is moved back from the live picture'
      : 'The server is replaying a recorded run: nothing shown is live'
    : 'The live picture';
  const info = $('replay-info');
  info.hidden = !replay;
  info.textContent = replay ? `run ${runId || '—'} · data time ${shown ? utcDateTime(shown.t) : '—'} UTC` : '';
  document.body.classList.toggle('replay-view', replay);
  $('title-mode').textContent = !replay ? 'live air picture' : mode === 'replay' ? 'REPLAY of a recorded moment' : 'REPLAY of a recorded run';
  liveButton.classList.toggle('active', mode === 'live');
  playButton.textContent = playing !== null ? '❚❚' : '▶';
  playButton.disabled = mode === 'live' && !Number.isFinite(bounds[0]);
}

function updateStatus(): void {
  const c: ClassCounts = arrays?.counts ?? { DRONE: 0, BIRD: 0, AIRCRAFT: 0, UNKNOWN: 0 };
  const active = shownAlerts().alerts.filter((a) => a.state !== 'cleared').length;
  const wsCls = wsState === 'open' ? 'ok' : wsState === 'connecting' ? 'warn' : 'bad';
  const latency =
    mode === 'live' && liveFrame?.wall_ingest ? `latency ${(Date.now() / 1000 - liveFrame.wall_ingest).toFixed(2)} s · ` : '';
  const dc = map.drawnCounts;
  const lod = dc.drawn < dc.inView ? ` · ${dc.drawn} of ${dc.inView} in view drawn (zoom in for all)` : '';
  const behind =
    mode === 'replay' && liveFrame && shown ? ` · ${duration(liveFrame.t - shown.t).replace('inside', '0 s')} behind live` : '';
  $('status').innerHTML =
    `<b>${arrays?.n ?? 0}</b> tracks (drone ${c.DRONE} · bird ${c.BIRD} · aircraft ${c.AIRCRAFT} · unknown ${c.UNKNOWN}) · ` +
    `<b>${active}</b> active alerts${lod} · ` +
    `WebSocket <span class="${wsCls}">${wsState}</span> · ` +
    `${latency}frame seq ${lastSeq >= 0 ? lastSeq : '—'} · ` +
    `showing <span class="${mode === 'live' ? 'ok' : 'warn'}">${mode}</span>${behind}` +
    (serverMode ? ` · server ${esc(serverMode)}` : '') +
    (runId ? ` · run ${esc(runId)}` : '');
}

// ------------------------------------------------------------------ runs and the time slider
let loadingRun = '';
async function loadRun(id: string): Promise<void> {
  if (!id || loadingRun === id) return;
  loadingRun = id;
  runId = id;
  try {
    const [list, run] = await Promise.all([api.runs().catch(() => [] as RunInfo[]), api.run(id)]);
    const entry = list.find((r) => r.run_id === id);
    runSource = run.source || entry?.source || id;
    const [lo, hi] = runBounds(run);
    if (Number.isFinite(lo)) bounds[0] = Number.isFinite(bounds[0]) ? Math.min(bounds[0], lo) : lo;
    if (Number.isFinite(hi)) bounds[1] = Number.isFinite(bounds[1]) ? Math.max(bounds[1], hi) : hi;
  } catch (e) {
    runSource = runSource || id;
    console.warn('run info', e);
  }
  $('run-source').textContent = runSource || id;
  document.title = `dronewall — ${runSource || id}`;
  updateSlider();
  updateStatus();
}

function updateSlider(): void {
  const [lo, hi] = bounds;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
  slider.min = String(Math.floor(lo));
  slider.max = String(Math.ceil(Math.max(hi, lo + 1)));
  if (mode === 'live') slider.value = String(Math.round(liveFrame?.t ?? hi));
  else if (Number.isFinite(replayT)) slider.value = String(Math.round(replayT));
  $('time-start').textContent = utcTime(lo);
  $('time-end').textContent = utcTime(hi);
  slider.title = mode === 'live' ? 'Drag to replay an earlier time' : `Replay at ${utcDateTime(replayT)} UTC`;
}

let replayInFlight = false;
let replayPending: number | null = null;
let replayAbort: AbortController | null = null;

function enterReplay(t: number): void {
  if (mode !== 'replay') {
    mode = 'replay';
    replayTrails.clear();
    lastReplayT = NaN;
    historicAlerts.reset(); // a live run's latest events may have come in since
    historicAlerts.request(runId, t);
  }
  replayT = t;
  updateClock();
  updateStatus();
  requestReplay(t);
}

function requestReplay(t: number): void {
  if (!runId) return;
  if (replayInFlight) {
    replayPending = t;
    return;
  }
  replayInFlight = true;
  replayAbort = new AbortController();
  api
    .frameAt(runId, t, replayAbort.signal)
    .then((raw) => {
      if (mode !== 'replay') return;
      counters.replayFetched++;
      const f = normaliseFrame(raw);
      if (!Number.isFinite(lastReplayT) || f.t < lastReplayT || f.t - lastReplayT > 120) replayTrails.clear();
      lastReplayT = f.t;
      replayTrails.update(f);
      draw(f, replayTrails);
    })
    .catch((e: unknown) => {
      if ((e as Error).name !== 'AbortError') {
        $('status').textContent = `replay: cannot load the frame at ${utcDateTime(t)} UTC (${(e as Error).message})`;
      }
    })
    .finally(() => {
      replayInFlight = false;
      if (replayPending !== null && mode === 'replay') {
        const next = replayPending;
        replayPending = null;
        requestReplay(next);
      }
    });
}

function goLive(): void {
  stopPlaying();
  replayAbort?.abort();
  replayPending = null;
  mode = 'live';
  replayT = NaN;
  if (liveFrame) draw(liveFrame, liveTrails);
  if (!replaying()) historic = null;
  renderAlerts();
  renderEvents();
  updateClock();
  updateStatus();
  updateSlider();
}

function stopPlaying(): void {
  if (playing !== null) clearInterval(playing);
  playing = null;
  updateClock();
}

function togglePlay(): void {
  if (playing !== null) return stopPlaying();
  if (mode === 'live') {
    // start replaying from a minute ago (or the start of the run)
    const t0 = Math.max(bounds[0], (liveFrame?.t ?? bounds[1]) - 60);
    if (!Number.isFinite(t0)) return;
    enterReplay(Math.round(t0));
  }
  playing = window.setInterval(() => {
    const speed = Number(($<HTMLSelectElement>('replay-speed')).value) || 1;
    const next = (Number.isFinite(replayT) ? replayT : bounds[0]) + speed;
    if (next >= bounds[1]) return goLive();
    replayT = next;
    updateSlider();
    requestReplay(next);
  }, 1000);
  updateClock();
}

slider.addEventListener('input', () => {
  if (!runId || !Number.isFinite(bounds[0])) return updateSlider(); // nothing recorded yet
  stopPlaying();
  enterReplay(Number(slider.value));
});
slider.addEventListener('change', () => {
  if (mode === 'replay' && Number(slider.value) !== replayT) enterReplay(Number(slider.value));
});
liveButton.addEventListener('click', goLive);
playButton.addEventListener('click', togglePlay);
$<HTMLInputElement>('toggle-coverage').addEventListener('change', (e) =>
  map.setCoverageVisible((e.target as HTMLInputElement).checked),
);
$<HTMLInputElement>('toggle-trails').addEventListener('change', (e) => {
  showTrails = (e.target as HTMLInputElement).checked;
  map.setTrailsVisible(showTrails);
});

// ------------------------------------------------------------------ tooltips
function tooltip(h: Hovered): string | null {
  if (h.kind === 'site') {
    const p = h.feature.properties;
    return `<b>${esc(p.name ?? p.site_id)}</b><br><span class="m">protected site · ${esc(p.kind ?? '')} · radius ${fixed(
      Number(p.radius_m) / 1000,
      1,
      'km',
    )}</span><br><span class="m">${esc(p.site_id ?? '')}</span>`;
  }
  if (h.kind === 'sensor') {
    const r = h.sensor;
    const lines = [
      `<b>${esc(r.name)}</b> · ${esc(kindName(r.kind))} sensor${r.nation ? ` · ${esc(r.nation)}` : ''}`,
      `<span class="m">state</span> ${esc(STATE_LABEL[r.state])}${r.status ? ` (${esc(r.status)})` : ''}`,
    ];
    if (r.live) {
      lines.push(
        `<span class="m">last report</span> ${r.reportAgeS === null ? 'never' : `${age(r.reportAgeS)} ago`} · ${rate(r.rateHz)} · ${r.rejects ?? 0} rejects`,
      );
    }
    lines.push(`<span class="m">range</span> ${r.maxRangeM === null ? 'unknown' : fixed(r.maxRangeM / 1000, 1, 'km')} · <span class="m">${esc(r.id)}</span>`);
    lines.push('<span class="m">click for details</span>');
    return lines.join('<br>');
  }
  const f = shown;
  const i = h.row;
  if (!f || i >= f.n) return null;
  const cls = f.cls[i] ?? 'UNKNOWN';
  const affil = f.affil[i] ?? 'U';
  const speed = f.speed[i];
  const course = f.course[i];
  const prio = f.prio[i] ?? 0;
  const lines = [
    `<b>Track ${f.id[i]}</b> · ${esc(CLASS_LABEL[cls] ?? cls)}${kindLabel(f.kind[i]) ? ` (${esc(kindLabel(f.kind[i]))})` : ''}`,
    `<span class="m">identity</span> ${esc(AFFIL_LABEL[affil] ?? affil)}${f.ident[i] ? ` · <span class="m">id</span> ${esc(f.ident[i])}` : ''}`,
    `<span class="m">heading</span> ${course == null || !Number.isFinite(course) ? '—' : `${course.toFixed(0)}° ${compass(course)}`} · <span class="m">speed</span> ${fixed(speed, 1, 'm/s')} (${fixed(
      speed == null ? null : speed * 3.6,
      0,
      'km/h',
    )})`,
    `<span class="m">altitude</span> ${fixed(f.alt[i], 0, 'm')}`,
  ];
  if (prio > 0) lines.push(`<span class="m">threat</span> ${prio.toFixed(0)} → ${esc(siteName(f.site[i] ?? ''))} · ${duration(f.tts[i])}`);
  if (f.alert[i]) lines.push(`<span class="m">alert</span> #${f.alert[i]}`);
  lines.push('<span class="m">click for details</span>');
  return lines.join('<br>');
}

function siteName(id: string): string {
  return siteNames.get(id) ?? id;
}

// ------------------------------------------------------------------ alerts
function setAlerts(list: Alert[]): void {
  const now = Date.now();
  const keep = new Map<number, Alert>();
  for (const [id, when] of recentlyCleared) {
    const a = alerts.get(id);
    if (now - when < 15000 && a) keep.set(id, a);
    else recentlyCleared.delete(id);
  }
  alerts.clear();
  for (const a of list) alerts.set(a.alert_id, a);
  for (const [id, a] of keep) if (!alerts.has(id)) alerts.set(id, a);
  renderAlerts();
  updateStatus();
}

function onEvents(list: AlertEvent[]): void {
  let changed = false;
  for (const ev of list) {
    events.unshift(ev);
    if (ev.alert_id != null && ev.state) {
      const a = alerts.get(ev.alert_id);
      if (a && a.state !== ev.state) {
        alerts.set(ev.alert_id, { ...a, state: ev.state, priority: ev.priority ?? a.priority });
        changed = true;
      }
    }
  }
  if (events.length > 200) events.length = 200;
  if (!replaying()) renderEvents();
  if (changed) renderAlerts();
}

/** What the alert panel shows: the live alerts, or in a replay those of the moment shown. */
function shownAlerts(): { t: number | null; alerts: Alert[] } {
  if (!replaying()) return { t: null, alerts: [...alerts.values()] };
  if (!historic) return { t: NaN, alerts: [] };
  return { t: historic.t, alerts: withFrame(historic.alerts, shown && shown.t === historic.t ? shown : null) };
}

function renderEvents(): void {
  const list = replaying() ? (historic?.events ?? []) : events;
  $('event-count').textContent = String(list.length);
  const ol = $('event-log');
  ol.replaceChildren(
    ...list.slice(0, 60).map((ev) =>
      el(
        'li',
        {},
        `${utcTime(ev.t)} `,
        el('b', {}, ev.kind),
        ev.track_id != null ? ` · track ${ev.track_id}` : '',
        ev.site_id ? ` → ${siteName(ev.site_id)}` : '',
        ev.priority ? ` · prio ${Math.round(ev.priority)}` : '',
        ev.message ? ` — ${ev.message}` : '',
      ),
    ),
  );
}

// The alert list is rebuilt at most every 300 ms (a busy picture sends alert updates often).
let alertsTimer: number | null = null;
let lastAlertsRender = 0;
function renderAlerts(): void {
  if (alertsTimer !== null) return;
  const wait = Math.max(0, lastAlertsRender + 300 - performance.now());
  if (wait === 0) return renderAlertsNow();
  alertsTimer = window.setTimeout(() => {
    alertsTimer = null;
    renderAlertsNow();
  }, wait);
}

function renderAlertsNow(): void {
  lastAlertsRender = performance.now();
  const replay = replaying();
  const at = shownAlerts();
  const list = at.alerts.sort(
    (a, b) => Number(a.state === 'cleared') - Number(b.state === 'cleared') || b.priority - a.priority,
  );
  const active = list.filter((a) => a.state !== 'cleared').length;
  $('alert-count').textContent = String(active);
  const when = $('alert-when');
  when.hidden = !replay;
  when.textContent = replay ? (at.t !== null && Number.isFinite(at.t) ? `at ${utcTime(at.t)} (replay)` : 'loading the replayed moment…') : '';
  const box = $('alert-list');
  box.dataset.t = at.t === null ? 'live' : String(at.t);
  box.classList.toggle('replay', replay);
  if (!list.length) {
    alertRows.clear();
    box.replaceChildren(el('div', { class: 'empty' }, replay ? 'No active alerts at the moment shown.' : 'No active alerts.'));
    return;
  }
  // Keyed update: a row whose content is unchanged keeps its DOM node and place, so a click
  // on its buttons is never lost to a redraw (alert messages arrive several times a second).
  const wanted = list.map((a) => {
    const sig = JSON.stringify([a.state, a.track_id, siteName(a.site_id), Boolean(a.reasons), selected === a.track_id, replay]);
    const old = alertRows.get(a.alert_id);
    if (old && old.sig === sig) {
      refreshAlertRow(old.node, a); // priority and time to site change every second
      return old.node;
    }
    const node = alertRow(a);
    alertRows.set(a.alert_id, { sig, node });
    return node;
  });
  const keep = new Set(wanted);
  for (const [id, row] of alertRows) if (!keep.has(row.node)) alertRows.delete(id);
  box.querySelector(':scope > .empty')?.remove();
  wanted.forEach((node, i) => {
    if (box.children[i] !== node) box.insertBefore(node, box.children[i] ?? null);
  });
  while (box.children.length > wanted.length) box.lastElementChild?.remove();
}

const alertRows = new Map<number, { sig: string; node: HTMLElement }>();

function refreshAlertRow(row: HTMLElement, a: Alert): void {
  const prio = row.querySelector<HTMLElement>('.prio');
  if (prio) {
    prio.textContent = String(Math.round(a.priority));
    prio.className = `prio ${prioClass(a.priority)}`;
  }
  const meta = row.querySelector<HTMLElement>('.meta');
  if (meta) meta.textContent = alertMeta(a);
  const reasons = row.querySelector<HTMLElement>('.reasons');
  if (reasons) reasons.textContent = a.reasons;
}

function alertMeta(a: Alert): string {
  return `alert #${a.alert_id} · track ${a.track_id} · time to site ${duration(a.time_to_site_s)} · raised ${utcTime(a.t_raised)}`;
}

function alertRow(a: Alert): HTMLElement {
  const actions = el('div', { class: 'actions' });
  const button = (label: string, action: 'acknowledge' | 'engage' | 'clear', testid: string, cls = '') => {
    const b = el('button', { type: 'button', 'data-testid': `${testid}-${a.alert_id}`, class: cls }, label);
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      void act(a.alert_id, action, b);
    });
    actions.append(b);
  };
  if (replaying()) {
    actions.append(el('span', { class: 'note' }, 'replay: read-only'));
  } else {
    if (a.state === 'new') button('Acknowledge', 'acknowledge', 'ack', 'ack');
    if (a.state === 'acknowledged') button('Engage', 'engage', 'engage');
    if (a.state !== 'cleared') button('Clear', 'clear', 'clear');
  }
  const row = el(
    'div',
    {
      class: `alert state-${a.state}${selected === a.track_id ? ' selected' : ''}`,
      'data-alert-id': String(a.alert_id),
      'data-track-id': String(a.track_id),
      'data-state': a.state,
      'data-testid': `alert-${a.alert_id}`,
      title: 'Click to select the track',
    },
    el(
      'div',
      { class: 'row1' },
      el('span', { class: `prio ${prioClass(a.priority)}`, title: 'threat priority 0–100' }, String(Math.round(a.priority))),
      el('span', { class: 'site' }, siteName(a.site_id) || 'no site'),
      el('span', { class: 'state', 'data-testid': `state-${a.alert_id}` }, a.state),
    ),
    el(
      'div',
      { class: 'meta' },
      alertMeta(a),
    ),
    a.reasons ? el('div', { class: 'reasons' }, a.reasons) : null,
    actions,
  );
  row.addEventListener('click', () => select(a.track_id, true));
  return row;
}

async function act(alertId: number, action: 'acknowledge' | 'engage' | 'clear', button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const res = await api.alertAction(alertId, action);
    const prev = alerts.get(alertId);
    const next: Alert | undefined =
      res && typeof res === 'object' && 'state' in res
        ? ({ ...prev, ...(res as Partial<Alert>) } as Alert)
        : prev
          ? { ...prev, state: action === 'acknowledge' ? 'acknowledged' : action === 'engage' ? 'engaged' : 'cleared' }
          : undefined;
    if (next) {
      alerts.set(alertId, next);
      if (next.state === 'cleared') recentlyCleared.set(alertId, Date.now());
    }
    renderAlerts();
    updateStatus();
  } catch (e) {
    button.disabled = false;
    const row = button.closest('.alert');
    const msg = e instanceof HttpError ? e.message : String(e);
    row?.querySelector('.err')?.remove();
    row?.querySelector('.actions')?.append(el('span', { class: 'err' }, `${action} failed: ${msg}`));
    if (e instanceof HttpError && (e.status === 409 || e.status === 404)) void refreshAlerts();
  }
}

async function refreshAlerts(): Promise<void> {
  try {
    setAlerts(await api.alerts());
  } catch (e) {
    console.warn('alerts', e);
  }
}

// ------------------------------------------------------------------ track panel
function select(id: number | null, pan = false): void {
  if (selected !== id) {
    detail = null;
    detailError = '';
    detailFor = null;
  }
  selected = id;
  updateSelectionRing();
  renderAlerts();
  renderTrack();
  if (id !== null) {
    refreshTrack();
    if (pan && shown && arrays) {
      const row = arrays.rowOf.get(id);
      if (row !== undefined) map.panTo(shown.lon[row]!, shown.lat[row]!);
    }
  }
}

function refreshTrack(): void {
  const id = selected;
  if (id === null) return;
  renderTrack();
  if (mode !== 'live') return; // /api/tracks/{id} is the live picture; a replay frame has the columns
  if (detailAbort) return; // one request at a time
  detailAbort = new AbortController();
  api
    .track(id, detailAbort.signal)
    .then((d) => {
      if (selected !== id) return;
      detail = d;
      detailFor = id;
      detailError = '';
    })
    .catch((e: unknown) => {
      if (selected !== id || (e as Error).name === 'AbortError') return;
      detailError =
        e instanceof HttpError && e.status === 404 ? 'This track is no longer in the live picture.' : `Cannot load the track: ${(e as Error).message}`;
    })
    .finally(() => {
      detailAbort = null;
      if (selected === id) renderTrack();
    });
}

const P_CLASSES = [
  ['drone', 'p_drone', [255, 128, 128]],
  ['bird', 'p_bird', [170, 255, 170]],
  ['aircraft', 'p_aircraft', [128, 224, 255]],
  ['unknown', 'p_unknown', [255, 255, 128]],
] as const;

function pick(d: Record<string, unknown> | null, ...keys: string[]): unknown {
  if (!d) return undefined;
  for (const k of keys) if (d[k] !== undefined) return d[k];
  return undefined;
}

function renderTrack(): void {
  const body = $('track-body');
  const id = selected;
  if (id === null) {
    body.replaceChildren(el('div', { class: 'empty' }, 'Click a track symbol on the map, or an alert, to see its details.'));
    return;
  }
  // Columns of the frame on screen, overlaid with the live detail when we have it.
  const row = arrays?.rowOf.get(id);
  const f = shown;
  const fromFrame: Record<string, unknown> = {};
  if (f && row !== undefined) {
    for (const k of ['id', 'lat', 'lon', 'alt', 'speed', 'course', 'climb', 'sigma', 'cls', 'p_drone', 'p_bird', 'p_aircraft', 'p_unknown', 'kind', 'affil', 'prio', 'site', 'tts', 'ident', 'alert'] as const) {
      fromFrame[k] = (f[k] as unknown[])[row];
    }
  }
  const live = mode === 'live' && detailFor === id && detail ? (detail as Record<string, unknown>) : null;
  const d: Record<string, unknown> = { ...fromFrame, ...(live ?? {}) };
  const has = Object.keys(d).length > 0;
  const cls = String(pick(d, 'cls', 'class', 'label') ?? 'UNKNOWN').toUpperCase();
  const affil = String(pick(d, 'affil', 'affiliation') ?? 'U');
  const pmap: Record<string, number> = {};
  const p = live?.p;
  if (p && typeof p === 'object') for (const [k, v] of Object.entries(p as Record<string, unknown>)) if (typeof v === 'number') pmap[k.toLowerCase()] = v;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  const head = el(
    'div',
    { class: 'head' },
    el('img', { src: map.atlas.dataUrl(cls, affil), alt: `${cls} ${affil}` }),
    el(
      'div',
      {},
      el('div', { class: 'name', 'data-testid': 'track-title' }, `Track ${id}`),
      el('div', { class: 'sub' }, `${CLASS_LABEL[cls] ?? cls} · ${AFFIL_LABEL[affil] ?? affil}`),
    ),
  );
  const close = el('button', { type: 'button', class: 'close', title: 'Deselect', 'data-testid': 'track-close' }, '×');
  close.addEventListener('click', () => select(null));
  head.append(close);
  const parts: Node[] = [head];
  if (!has) {
    parts.push(el('div', { class: 'empty' }, detailError || 'Loading…'));
    body.replaceChildren(...parts);
    return;
  }
  const bars = el('div', { class: 'bars', 'data-testid': 'class-bars' });
  for (const [name, col, rgb] of P_CLASSES) {
    const v = pmap[name] ?? num(d[col]) ?? 0;
    bars.append(
      el('span', {}, name),
      el('div', { class: 'bar' }, el('div', { style: `width:${(Math.max(0, Math.min(1, v)) * 100).toFixed(1)}%;background:rgb(${rgb.join(',')})` })),
      el('span', { class: 'pct', 'data-testid': `p-${name}` }, `${(v * 100).toFixed(0)}%`),
    );
  }
  parts.push(el('div', { class: 'note' }, 'class probabilities'), bars);
  const speed = num(pick(d, 'speed', 'speed_mps'));
  const course = num(pick(d, 'course', 'course_deg'));
  const prio = num(pick(d, 'prio', 'priority')) ?? 0;
  const site = String(pick(d, 'site', 'site_id') ?? '');
  const kind = kindLabel(pick(d, 'kind', 'drone_kind'));
  const ident = String(pick(d, 'ident', 'identity') ?? '');
  const alertId = num(pick(d, 'alert', 'alert_id'));
  const rows: [string, string][] = [
    ['class', `${CLASS_LABEL[cls] ?? cls}`],
    ['drone kind', kind || '—'],
    ['identity', ident || '—'],
    ['standard identity', `${AFFIL_LABEL[affil] ?? affil} (${affil})`],
    ['speed', speed == null ? '—' : `${speed.toFixed(1)} m/s · ${(speed * 3.6).toFixed(0)} km/h`],
    ['heading', course == null ? '—' : `${course.toFixed(0)}° ${compass(course)}`],
    ['altitude', fixed(num(pick(d, 'alt', 'alt_m')), 0, 'm')],
    ['climb', fixed(num(pick(d, 'climb', 'climb_mps')), 1, 'm/s')],
    ['position', `${fixed(num(d.lat), 5)}, ${fixed(num(d.lon), 5)} ± ${fixed(num(pick(d, 'sigma', 'sigma_m')), 0, 'm')}`],
    ['threat priority', prio > 0 ? `${prio.toFixed(0)} / 100` : '0 (no threat)'],
    ['threatened site', site ? siteName(site) : '—'],
    ['time to site', duration(num(pick(d, 'tts', 'time_to_site_s')))],
    ['alert', alertId ? `#${alertId} (${alerts.get(alertId)?.state ?? 'active'})` : 'none'],
  ];
  if (live && 'sensor_kinds' in live) rows.push(['seen by', sensorKinds(live.sensor_kinds)]);
  parts.push(
    el(
      'table',
      { class: 'kv' },
      ...rows.map(([k, v]) => el('tr', { 'data-field': k }, el('th', {}, k), el('td', {}, v))),
    ),
  );
  const reasons = el('div', { class: 'reasons-block' });
  if (live) {
    reasons.append(
      el('h3', {}, 'Why this class'),
      el('p', { 'data-testid': 'class-reasons' }, String(live.class_reasons ?? '') || '—'),
      el('h3', {}, 'Why this threat'),
      el('p', { 'data-testid': 'threat-reasons' }, String(live.threat_reasons ?? '') || '—'),
    );
  } else if (mode === 'replay') {
    reasons.append(el('div', { class: 'note' }, 'Replay: values at the replayed time. Class and threat reasons are shown for the live picture.'));
  } else {
    reasons.append(el('div', { class: 'note' }, detailError || 'Loading reasons…'));
  }
  parts.push(reasons);
  if (row === undefined) parts.push(el('div', { class: 'note' }, 'Not in the picture shown.'));
  if (detailError && mode === 'live') parts.push(el('div', { class: 'note' }, detailError));
  body.replaceChildren(...parts);
}

// ------------------------------------------------------------------ legend
function buildLegend(): void {
  const body = $('legend-body');
  const img = (cls: string, affil: string) => el('img', { src: map.atlas.dataUrl(cls, affil), alt: '' });
  const sw = (cls: string, style: string) => el('span', { class: `sw ${cls}`, style });
  const rgb = (c: readonly number[], a = 1) => `rgba(${c[0]},${c[1]},${c[2]},${a})`;
  const sensorImg = (kind: string, state: SensorRow['state']) => el('img', { src: map.sensorAtlas.dataUrl(kind, state), alt: '', class: 'sensor-icon' });
  const entries: [Node | null, string][] = [
    [null, 'tracks (APP-6 air symbols)'],
    [img('DRONE', 'H'), 'drone (UAV), hostile'],
    [img('DRONE', 'S'), 'drone, suspect'],
    [img('DRONE', 'F'), 'drone, friend (registered friendly list)'],
    [img('AIRCRAFT', 'N'), 'civil aircraft, neutral'],
    [img('BIRD', 'N'), 'bird (pale, small)'],
    [img('UNKNOWN', 'U'), 'unknown air object'],
    [null, 'standard identity (frame colour)'],
    ...(['H', 'S', 'U', 'N', 'F'] as const).map((a): [Node, string] => [sw('sw-line', `background:${rgb(AFFIL_RGB[a]!)}`), `${AFFIL_LABEL[a]} · trail & heading tick`]),
    [null, 'map'],
    [sw('sw-circle', 'border:2px solid #ff3c3c'), 'track with an active alert'],
    [sw('sw-circle', 'border:2px solid #fff'), 'selected track'],
    [sw('sw-circle', 'border:1.5px solid rgb(255,196,0);background:rgba(255,196,0,0.16)'), 'protected site (radius)'],
    [null, 'sensors (by kind; health state)'],
    ...Object.keys(SENSOR_RGB).map((k): [Node, string] => [sensorImg(k, 'ok'), `${kindName(k)} sensor`]),
    ...SENSOR_STATES.filter((st) => st !== 'ok').map((st): [Node, string] => [sensorImg('RADAR', st), STATE_LABEL[st]]),
    [sw('sw-circle', 'border:1px solid rgba(90,170,255,0.6);background:rgba(90,170,255,0.08)'), 'sensor coverage (max range; dashed: stale or offline)'],
  ];
  body.replaceChildren(
    ...entries.flatMap(([icon, text]): Node[] => (icon ? [icon, el('span', {}, text)] : [el('div', { class: 'sep' }, text)])),
  );
}

// ------------------------------------------------------------------ WebSocket
let ws: WebSocket | null = null;
const utf8 = new TextDecoder();
let retry = 0;
let pingTimer: number | null = null;

function wsUrl(): string {
  const u = new URL('ws', window.location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('format', 'columns'); // frames as typed columns: nothing to parse
  return u.toString();
}

function connect(): void {
  wsState = 'connecting';
  updateStatus();
  const sock = new WebSocket(wsUrl());
  ws = sock;
  sock.onopen = () => {
    wsState = 'open';
    retry = 0;
    updateStatus();
    if (pingTimer !== null) clearInterval(pingTimer);
    pingTimer = window.setInterval(() => {
      if (sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify({ type: 'ping' }));
    }, 20000);
  };
  sock.binaryType = 'arraybuffer'; // frames come as binary messages of typed columns
  sock.onmessage = (e: MessageEvent) => {
    if (e.data instanceof ArrayBuffer && isColumnFrame(e.data)) {
      try {
        onLiveFrame(decodeColumns(e.data));
      } catch (err) {
        counters.rejected++;
        console.warn('frame', err);
      }
      return;
    }
    let msg: { type?: string };
    try {
      const text = typeof e.data === 'string' ? e.data : utf8.decode(e.data as ArrayBuffer);
      msg = JSON.parse(text) as { type?: string };
    } catch {
      counters.rejected++;
      return;
    }
    switch (msg.type) {
      case 'frame':
        onLiveFrame(msg as Frame);
        break;
      case 'alerts':
        setAlerts((msg as { alerts: Alert[] }).alerts ?? []);
        break;
      case 'events':
        onEvents((msg as { events: AlertEvent[] }).events ?? []);
        break;
      case 'hello': {
        const h = msg as Hello;
        serverMode = h.mode ?? '';
        if (h.run_id) runId = runId || h.run_id;
        updateClock();
        renderAlerts();
        renderEvents();
        if (Number.isFinite(h.t_start)) bounds[0] = Number.isFinite(bounds[0]) ? Math.min(bounds[0], h.t_start) : h.t_start;
        if (Number.isFinite(h.t)) bounds[1] = Number.isFinite(bounds[1]) ? Math.max(bounds[1], h.t) : h.t;
        if (h.run_id) void loadRun(h.run_id);
        updateStatus();
        break;
      }
      default:
        break;
    }
  };
  sock.onclose = () => {
    if (ws !== sock) return;
    wsState = 'closed';
    if (pingTimer !== null) clearInterval(pingTimer);
    pingTimer = null;
    updateStatus();
    const delay = Math.min(10000, 500 * 2 ** retry++);
    window.setTimeout(connect, delay);
  };
  sock.onerror = () => {
    /* onclose follows */
  };
}

// ------------------------------------------------------------------ start
window.dronewall = {
  trackCount: () => shown?.n ?? 0,
  frameTimes: () => frameTimes.slice(),
  frameCount: () => rafCount,
  renderTimes: () => renderTimes.slice(),
  lastFrameSeq: () => lastSeq,
  selectedTrack: () => selected,
  mode: () => mode,
  dataTime: () => shown?.t ?? null,
  wsState: () => wsState,
  alerts: () => [...alerts.values()].map((a) => ({ ...a })),
  select: (id) => select(id, true),
  position: (id) => {
    const i = shown ? Array.prototype.indexOf.call(shown.id, id) : -1;
    return shown && i >= 0 ? [shown.lon[i], shown.lat[i]] : null;
  },
  goLive,
  counters: () => ({ ...counters }),
  drawCost: () => ({ ms: drawCost, budget: map.drawBudget, softwareGl: map.softwareGl }),
  sensors: () => sensorPanel.rows.map((r) => ({ ...r })),
  sensorsOnMap: () => map.drawnSensors,
  sensorPolls: () => sensorPanel.polls,
  selectedSensor: () => sensorPanel.selected,
  selectSensor: (id) => sensorPanel.select(id),
  health: () => ({ ...health.state }),
  replay: replaying,
  shownAlerts: () => {
    const a = shownAlerts();
    return { t: a.t, alerts: a.alerts.map((x) => ({ ...x })) };
  },
};

function sensorBounds(rows: SensorRow[]): Bounds | null {
  const features = rows
    .filter((r) => r.lon !== null && r.lat !== null)
    .map((r) => ({ type: 'Feature' as const, geometry: { type: 'Point', coordinates: [r.lon!, r.lat!] }, properties: { max_range_m: r.maxRangeM ?? 0 } }));
  return boundsOf(features, 'max_range_m', 30000);
}

type Bounds = [[number, number], [number, number]];
function boundsOf(features: PointFeature[], rangeKey: string | null, capM: number): Bounds | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const r = rangeKey ? Math.min(Number(f.properties[rangeKey]) || 0, capM) : 0;
    const dLat = r / 111320;
    const dLon = r / (111320 * Math.max(Math.cos((lat * Math.PI) / 180), 0.1));
    w = Math.min(w, lon - dLon);
    e = Math.max(e, lon + dLon);
    s = Math.min(s, lat - dLat);
    n = Math.max(n, lat + dLat);
  }
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}

async function start(): Promise<void> {
  buildLegend();
  updateClock();
  updateStatus();
  connect();
  void api
    .basemap()
    .then((g) => map.setBasemap(g))
    .catch((e: unknown) => console.warn('basemap', e));
  void refreshAlerts();
  void api
    .runs()
    .then((runs) => {
      if (!runId && runs.length) void loadRun(runs[runs.length - 1]!.run_id);
    })
    .catch(() => undefined);
  health.start();
  const [sites] = await Promise.all([api.sites().catch(() => null), sensorPanel.start()]);
  const sensors = sensorPanel.rows;
  if (sites) {
    for (const f of sites.features ?? []) {
      const p = f.properties ?? {};
      if (p.site_id != null) siteNames.set(String(p.site_id), String(p.name ?? p.site_id));
    }
    map.setSites(sites);
    renderAlerts();
  }
  // ?view=lon,lat,zoom sets the initial view (for tests and benchmarks)
  const v = (params.get('view') ?? '').split(',').map(Number);
  if (v.length === 3 && v.every(Number.isFinite)) {
    map.setView({ longitude: v[0]!, latitude: v[1]!, zoom: v[2]!, pitch: 0, bearing: 0 });
    return;
  }
  const fromSensors = sensorBounds(sensors);
  if (fromSensors) sensorsFitted = true;
  const fit =
    fromSensors ||
    (sites && boundsOf(sites.features ?? [], 'radius_m', 30000)) ||
    EUROPE_BOUNDS;
  map.fitTo(fit);
}

void start();
