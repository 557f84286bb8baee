// The time bar and replay wiring: the run's span (`GET /api/runs/{id}`) on `#time-slider`;
// moving it back shows `GET /api/runs/{id}/frame?t=` (one request at a time, the newest time
// asked wins); ▶ plays the replay at 1× / 10× / 60×; `#live-button` returns to live.

import { api, runBounds, type Frame, type RunInfo } from './api';
import { utcDateTime, utcTime } from './format';
import { $, view } from './state';
import { normaliseFrame, Trails } from './tracks';

export interface TimebarHooks {
  /** Draw a replayed frame with its trails. */
  draw(f: Frame, trails: Trails): void;
  /** Back to live: draw the newest live frame. */
  showLive(): void;
  /** The replay was entered at data time `t` (the slider moved back from live). */
  enteredReplay(t: number): void;
  /** Back to live (after showLive). */
  wentLive(): void;
  /** Header and status line to redraw. */
  changed(): void;
}

export class Timebar {
  private readonly slider = $<HTMLInputElement>('time-slider');
  private readonly replayTrails = new Trails();
  private lastReplayT = NaN;
  private loadingRun = '';
  private inFlight = false;
  private pending: number | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly hooks: TimebarHooks) {
    const slider = this.slider;
    slider.addEventListener('input', () => {
      if (!view.runId || !Number.isFinite(view.bounds[0])) return this.updateSlider(); // nothing recorded yet
      this.stopPlaying();
      this.enterReplay(Number(slider.value));
    });
    slider.addEventListener('change', () => {
      if (view.mode === 'replay' && Number(slider.value) !== view.replayT) this.enterReplay(Number(slider.value));
    });
    $('live-button').addEventListener('click', () => this.goLive());
    $('play-button').addEventListener('click', () => this.togglePlay());
  }

  /** Widen the run's span to data times seen (a live frame's, a hello's). */
  extend(lo: number, hi: number): void {
    const b = view.bounds;
    if (Number.isFinite(lo)) b[0] = Number.isFinite(b[0]) ? Math.min(b[0], lo) : lo;
    if (Number.isFinite(hi)) b[1] = Number.isFinite(b[1]) ? Math.max(b[1], hi) : hi;
  }

  async loadRun(id: string): Promise<void> {
    if (!id || this.loadingRun === id) return;
    this.loadingRun = id;
    view.runId = id;
    try {
      const [list, run] = await Promise.all([api.runs().catch(() => [] as RunInfo[]), api.run(id)]);
      const entry = list.find((r) => r.run_id === id);
      view.runSource = run.source || entry?.source || id;
      const [lo, hi] = runBounds(run);
      this.extend(lo, hi);
    } catch (e) {
      view.runSource = view.runSource || id;
      console.warn('run info', e);
    }
    $('run-source').textContent = view.runSource || id;
    document.title = `dronewall — ${view.runSource || id}`;
    this.updateSlider();
    this.hooks.changed();
  }

  updateSlider(): void {
    const [lo, hi] = view.bounds;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
    const slider = this.slider;
    slider.min = String(Math.floor(lo));
    slider.max = String(Math.ceil(Math.max(hi, lo + 1)));
    if (view.mode === 'live') slider.value = String(Math.round(view.liveFrame?.t ?? hi));
    else if (Number.isFinite(view.replayT)) slider.value = String(Math.round(view.replayT));
    $('time-start').textContent = utcTime(lo);
    $('time-end').textContent = utcTime(hi);
    slider.title = view.mode === 'live' ? 'Drag to replay an earlier time' : `Replay at ${utcDateTime(view.replayT)} UTC`;
  }

  enterReplay(t: number): void {
    if (view.mode !== 'replay') {
      view.mode = 'replay';
      this.replayTrails.clear();
      this.lastReplayT = NaN;
      this.hooks.enteredReplay(t);
    }
    view.replayT = t;
    this.hooks.changed();
    this.request(t);
  }

  private request(t: number): void {
    if (!view.runId) return;
    if (this.inFlight) {
      this.pending = t;
      return;
    }
    this.inFlight = true;
    this.abort = new AbortController();
    api
      .frameAt(view.runId, t, this.abort.signal)
      .then((raw) => {
        if (view.mode !== 'replay') return;
        view.counters.replayFetched++;
        const f = normaliseFrame(raw);
        if (!Number.isFinite(this.lastReplayT) || f.t < this.lastReplayT || f.t - this.lastReplayT > 120) this.replayTrails.clear();
        this.lastReplayT = f.t;
        this.replayTrails.update(f);
        this.hooks.draw(f, this.replayTrails);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') {
          $('status').textContent = `replay: cannot load the frame at ${utcDateTime(t)} UTC (${(e as Error).message})`;
        }
      })
      .finally(() => {
        this.inFlight = false;
        if (this.pending !== null && view.mode === 'replay') {
          const next = this.pending;
          this.pending = null;
          this.request(next);
        }
      });
  }

  goLive(): void {
    this.stopPlaying();
    this.abort?.abort();
    this.pending = null;
    view.mode = 'live';
    view.replayT = NaN;
    this.hooks.showLive();
    this.hooks.wentLive();
    this.hooks.changed();
    this.updateSlider();
  }

  private stopPlaying(): void {
    if (view.playing !== null) clearInterval(view.playing);
    view.playing = null;
    this.hooks.changed();
  }

  private togglePlay(): void {
    if (view.playing !== null) return this.stopPlaying();
    const { bounds } = view;
    if (view.mode === 'live') {
      // start replaying from a minute ago (or the start of the run)
      const t0 = Math.max(bounds[0], (view.liveFrame?.t ?? bounds[1]) - 60);
      if (!Number.isFinite(t0)) return;
      this.enterReplay(Math.round(t0));
    }
    view.playing = window.setInterval(() => {
      const speed = Number($<HTMLSelectElement>('replay-speed').value) || 1;
      const next = (Number.isFinite(view.replayT) ? view.replayT : bounds[0]) + speed;
      if (next >= bounds[1]) return this.goLive();
      view.replayT = next;
      this.updateSlider();
      this.request(next);
    }, 1000);
    this.hooks.changed();
  }
}
