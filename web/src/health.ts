// The health banner (`#health-banner`): `GET /api/health` once a second; when the server says
// it is unhealthy (HTTP 503: a pipeline stage died or stalled, with the reason) or does not
// answer, a red banner across the top says so with the reason — within about one poll of the
// change (docs/live-api.md) — and it goes away at the first healthy answer.

import type { ErrorDetail, Health } from './generated/api';

export const HEALTH_POLL_MS = 1000; // the banner within 2 s of the change: a poll plus its answer
const TIMEOUT_MS = 1500; // a health check slower than this counts as no answer

export interface HealthState {
  ok: boolean;
  /** 'ok', 'unhealthy' (the server said so) or 'unreachable' (no answer). */
  status: 'ok' | 'unhealthy' | 'unreachable';
  reason: string;
  polls: number;
  /** performance.now() when the banner last came up (-1: never). */
  shownAt: number;
  /** performance.now() when the last healthy check was sent (-1: none yet). */
  lastOkSentAt: number;
}

export class HealthMonitor {
  readonly state: HealthState = { ok: true, status: 'ok', reason: '', polls: 0, shownAt: -1, lastOkSentAt: -1 };
  private since = 0; // Date.now() when the current problem began

  constructor(
    private readonly banner: HTMLElement,
    private readonly changed: (s: HealthState) => void = () => undefined,
  ) {}

  start(): void {
    void this.loop();
  }

  private async loop(): Promise<void> {
    const sent = performance.now();
    await this.check(sent);
    window.setTimeout(() => void this.loop(), Math.max(0, HEALTH_POLL_MS - (performance.now() - sent)));
  }

  private async check(sent: number): Promise<void> {
    const abort = new AbortController();
    const timer = window.setTimeout(() => abort.abort(), TIMEOUT_MS);
    let status: HealthState['status'];
    let reason = '';
    try {
      const res = await fetch('api/health', { signal: abort.signal, headers: { accept: 'application/json' }, cache: 'no-store' });
      const body = (await res.json().catch(() => ({}))) as Partial<Health & ErrorDetail>;
      if (res.ok && body.status !== 'unhealthy') {
        status = 'ok';
      } else {
        status = 'unhealthy';
        reason = body.reason || body.detail || `HTTP ${res.status} ${res.statusText}`.trim();
      }
    } catch (e) {
      status = 'unreachable';
      reason = (e as Error).name === 'AbortError' ? `no answer within ${TIMEOUT_MS / 1000} s` : 'the server cannot be reached';
    } finally {
      window.clearTimeout(timer);
    }
    this.state.polls++;
    if (status === 'ok') this.state.lastOkSentAt = sent;
    this.set(status, reason);
  }

  private set(status: HealthState['status'], reason: string): void {
    const s = this.state;
    const was = s.status;
    if (status !== 'ok' && was === 'ok') {
      s.shownAt = performance.now();
      this.since = Date.now();
    }
    s.ok = status === 'ok';
    s.status = status;
    s.reason = reason;
    this.render();
    if (was !== status) this.changed({ ...s });
  }

  private render(): void {
    const b = this.banner;
    const s = this.state;
    b.hidden = s.ok;
    document.body.classList.toggle('unhealthy', !s.ok);
    if (s.ok) return;
    b.dataset.status = s.status;
    const head = s.status === 'unreachable' ? 'Server unreachable' : 'Pipeline unhealthy';
    const secs = Math.round((Date.now() - this.since) / 1000);
    const what = b.querySelector('.what');
    const why = b.querySelector('.why');
    const when = b.querySelector('.when');
    if (what) what.textContent = head;
    if (why) why.textContent = s.reason;
    if (when) when.textContent = secs >= 2 ? `for ${secs} s — the picture may be out of date` : 'the picture may be out of date';
  }
}
