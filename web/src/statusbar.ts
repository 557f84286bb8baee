// The header (data time, LIVE / REPLAY badge, replay info, title) and the status line
// (`#status`: tracks by class, active alerts, symbols drawn, WebSocket, latency, frame seq).

import { duration, esc, utcDateTime } from './format';
import { $, replaying, view } from './state';
import type { ClassCounts } from './tracks';

export function renderClock(): void {
  const { mode, shown, runId } = view;
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
  $('live-button').classList.toggle('active', mode === 'live');
  const play = $<HTMLButtonElement>('play-button');
  play.textContent = view.playing !== null ? '❚❚' : '▶';
  play.disabled = mode === 'live' && !Number.isFinite(view.bounds[0]);
}

/** `activeAlerts`: alerts not cleared in the panel; `drawn`: symbols drawn of those in view. */
export function renderStatus(activeAlerts: number, drawn: { drawn: number; inView: number }): void {
  const { arrays, mode, liveFrame, shown, wsState, lastSeq, serverMode, runId } = view;
  const c: ClassCounts = arrays?.counts ?? { DRONE: 0, BIRD: 0, AIRCRAFT: 0, UNKNOWN: 0 };
  const wsCls = wsState === 'open' ? 'ok' : wsState === 'connecting' ? 'warn' : 'bad';
  const latency =
    mode === 'live' && liveFrame?.wall_ingest ? `latency ${(Date.now() / 1000 - liveFrame.wall_ingest).toFixed(2)} s · ` : '';
  const lod = drawn.drawn < drawn.inView ? ` · ${drawn.drawn} of ${drawn.inView} in view drawn (zoom in for all)` : '';
  const behind =
    mode === 'replay' && liveFrame && shown ? ` · ${duration(liveFrame.t - shown.t).replace('inside', '0 s')} behind live` : '';
  $('status').innerHTML =
    `<b>${arrays?.n ?? 0}</b> tracks (drone ${c.DRONE} · bird ${c.BIRD} · aircraft ${c.AIRCRAFT} · unknown ${c.UNKNOWN}) · ` +
    `<b>${activeAlerts}</b> active alerts${lod} · ` +
    `WebSocket <span class="${wsCls}">${wsState}</span> · ` +
    `${latency}frame seq ${lastSeq >= 0 ? lastSeq : '—'} · ` +
    `showing <span class="${mode === 'live' ? 'ok' : 'warn'}">${mode}</span>${behind}` +
    (serverMode ? ` · server ${esc(serverMode)}` : '') +
    (runId ? ` · run ${esc(runId)}` : '');
}
