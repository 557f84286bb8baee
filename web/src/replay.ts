// The alerts of the moment shown, for a replay (`dronewall serve --replay`, or the time slider
// moved back): rebuilt from the run's recorded alert events up to the shown data time
// (`GET /api/runs/{run_id}/events?t1=`; docs/alerts.md, "Events"), never the live ones.
// Every event carries the alert's state after it; the latest event of each alert id gives its
// state, track, site and priority at that time, and alerts cleared by then are left out.

import { api, type Alert, type AlertActionRecord, type AlertEvent, type Frame } from './api';

const ACTION_OF: Record<string, string> = { acknowledged: 'acknowledge', engaged: 'engage', cleared: 'clear' };

/** The operator action an event records ("acknowledge by alice: note"), or null. */
export function actionOf(ev: AlertEvent): AlertActionRecord | null {
  const action = ACTION_OF[ev.kind];
  if (!action) return null;
  const m = /\bby (.+?)(?:: (.*))?$/s.exec(ev.message ?? '');
  return { action, operator: m?.[1] ?? '', t: ev.t, note: m?.[2] ?? '' };
}

/** Active alerts at data time `t` from events in recorded order (later events win). */
export function alertsAt(events: readonly AlertEvent[], t: number): Alert[] {
  const held = new Map<number, Alert>();
  for (const ev of events) {
    if (!(ev.t <= t) || ev.alert_id == null) continue;
    const a = held.get(ev.alert_id) ?? {
      alert_id: ev.alert_id,
      track_id: ev.track_id ?? 0,
      state: 'new',
      site_id: '',
      sites: [],
      priority: 0,
      peak_priority: 0,
      p_drone: 0,
      time_to_site_s: null,
      t_raised: ev.t,
      t_updated: ev.t,
      t_cleared: null,
      reasons: '',
      actions: [],
    };
    if (ev.track_id != null) a.track_id = ev.track_id;
    if (ev.site_id) a.site_id = ev.site_id;
    if (typeof ev.priority === 'number' && Number.isFinite(ev.priority)) a.priority = ev.priority;
    if (ev.state) a.state = ev.state;
    if (ev.kind === 'raised') a.t_raised = ev.t;
    const act = actionOf(ev);
    if (act) a.actions = [...(a.actions ?? []), act];
    a.t_updated = ev.t;
    a.reasons = ev.message ? `${ev.kind}: ${ev.message}` : ev.kind;
    held.set(ev.alert_id, a);
  }
  return [...held.values()].filter((a) => a.state !== 'cleared').sort((a, b) => b.priority - a.priority || a.alert_id - b.alert_id);
}

/** The alerts' priority and time to site as the shown frame has them (the track's threat at
 * that instant), where the track is in it. */
export function withFrame(list: Alert[], f: Frame | null): Alert[] {
  if (!f) return list;
  const rowOf = new Map<number, number>();
  for (let i = 0; i < f.n; i++) rowOf.set(Number(f.id[i]), i);
  return list.map((a) => {
    const row = rowOf.get(a.track_id);
    if (row === undefined) return a;
    const prio = f.prio[row];
    const tts = f.tts[row];
    return {
      ...a,
      priority: typeof prio === 'number' && Number.isFinite(prio) && prio > 0 ? prio : a.priority,
      time_to_site_s: typeof tts === 'number' && Number.isFinite(tts) ? tts : a.time_to_site_s,
    };
  });
}

export interface HistoricPicture {
  runId: string;
  t: number;
  alerts: Alert[];
  /** The run's events up to `t`, newest first. */
  events: AlertEvent[];
}

/** Fetches a run's events up to the time shown, one request at a time (the newest time asked
 * wins). A run's events up to a time are kept, so moving back needs no request. */
export class HistoricAlerts {
  current: HistoricPicture | null = null;
  fetched = 0;
  error = '';
  private runId = '';
  private events: AlertEvent[] = [];
  private upTo = -Infinity; // every event of `runId` with t <= upTo is in `events`
  private inFlight = false;
  private pending: { runId: string; t: number } | null = null;

  constructor(private readonly changed: (p: HistoricPicture) => void) {}

  /** The alerts of `runId` at data time `t` (answered through `changed`). */
  request(runId: string, t: number): void {
    if (!runId || !Number.isFinite(t)) return;
    if (runId === this.runId && t <= this.upTo) return this.publish(t);
    if (this.inFlight) {
      this.pending = { runId, t };
      return;
    }
    this.inFlight = true;
    api
      .events(runId, t)
      .then((list) => {
        this.fetched++;
        this.error = '';
        this.runId = runId;
        this.events = Array.isArray(list) ? list : [];
        this.upTo = t;
        if (!this.pending) this.publish(t);
      })
      .catch((e: unknown) => {
        this.error = `cannot load the alert events: ${(e as Error).message}`;
      })
      .finally(() => {
        this.inFlight = false;
        const next = this.pending;
        this.pending = null;
        if (next) this.request(next.runId, next.t);
      });
  }

  /** Forget what was fetched (a live run's recent events may still be coming in). */
  reset(): void {
    this.upTo = -Infinity;
    this.current = null;
  }

  private publish(t: number): void {
    const upto = this.events.filter((e) => e.t <= t);
    this.current = { runId: this.runId, t, alerts: alertsAt(upto, t), events: upto.reverse() };
    this.changed(this.current);
  }
}
