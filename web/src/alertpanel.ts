// The alert panel (`#alert-panel`): the active alerts, highest priority first, with their
// actions (acknowledge, engage, clear), and the alert events log below. Live, the alerts come
// from the WebSocket (`alerts`, `events`) and `GET /api/alerts`; in a replay the panel holds the
// alerts of the moment shown, rebuilt from the run's recorded events (replay.ts), read-only.
//
// Each alert shows who did what (raised at T, acknowledged by X at T, engaged by Y, cleared by
// Z): the alert's `actions` live, its events in a replay. The selected alert (its track
// selected) also shows its audit trail (`GET /api/alerts/{id}/audit`: each action with the
// actor's roles and nation, refused attempts too), read again when an event on it arrives. The action buttons follow the
// signed-in user's roles (session.ts): a role that cannot take an action sees it disabled and
// why; a refusal by the server (403) is said in the row.

import { api, HttpError, type Alert, type AlertEvent, type AuditEntry } from './api';
import { duration, el, prioClass, utcTime } from './format';
import { actionOf, HistoricAlerts, withFrame, type HistoricPicture } from './replay';
import { ACTION_ROLES, can, session, type AlertAction as Action } from './session';
import { $, replaying, siteName, view } from './state';

const DONE: Record<string, string> = { acknowledge: 'acknowledged', engage: 'engaged', clear: 'cleared' };

export interface AlertPanelHooks {
  /** An alert was clicked: select its track and pan to it. */
  select(trackId: number): void;
  /** The alerts held changed (the status line counts them). */
  changed(): void;
}

export class AlertPanel {
  /** The live alerts by id. */
  readonly alerts = new Map<number, Alert>();
  /** The alerts of the replayed moment (replay.ts), fetched as the replay moves. */
  readonly history: HistoricAlerts;
  private historic: HistoricPicture | null = null;
  private readonly recentlyCleared = new Map<number, number>(); // alert id -> wall ms when cleared here
  private readonly events: AlertEvent[] = [];
  private readonly rows = new Map<number, { sig: string; node: HTMLElement }>();
  private timer: number | null = null;
  private lastRender = 0;
  /** The selected alert's audit trail: its entries, or why there are none. */
  private audit: { alertId: number; entries: AuditEntry[] | null; note: string; stale: boolean } | null = null;
  private auditAbort: AbortController | null = null;
  private picked: number | null = null; // the alert last clicked

  constructor(private readonly hooks: AlertPanelHooks) {
    this.history = new HistoricAlerts((p) => {
      this.historic = p;
      this.render();
      this.renderEvents();
      this.hooks.changed();
    });
  }

  /** The live alerts (a full list from the server); those cleared here in the last 15 s stay. */
  set(list: Alert[]): void {
    const now = Date.now();
    const keep = new Map<number, Alert>();
    for (const [id, when] of this.recentlyCleared) {
      const a = this.alerts.get(id);
      if (now - when < 15000 && a) keep.set(id, a);
      else this.recentlyCleared.delete(id);
    }
    this.alerts.clear();
    for (const a of list) this.alerts.set(a.alert_id, a);
    for (const [id, a] of keep) if (!this.alerts.has(id)) this.alerts.set(id, a);
    this.render();
    this.hooks.changed();
  }

  /** Live alert events: logged, and each moves its alert to the state it carries. */
  onEvents(list: AlertEvent[]): void {
    let changed = false;
    for (const ev of list) {
      this.events.unshift(ev);
      if (ev.alert_id != null && ev.state) {
        const a = this.alerts.get(ev.alert_id);
        const act = actionOf(ev); // who did it, before the next full alert list says so
        const known = !act || (a?.actions ?? []).some((x) => x.action === act.action && Math.abs(x.t - act.t) < 1e-3);
        if (a && (a.state !== ev.state || !known)) {
          const actions = known ? a.actions : [...(a.actions ?? []), act!];
          this.alerts.set(ev.alert_id, { ...a, state: ev.state, priority: ev.priority ?? a.priority, actions });
          changed = true;
        }
      }
    }
    if (this.events.length > 200) this.events.length = 200;
    if (this.audit && list.some((ev) => ev.alert_id === this.audit?.alertId)) this.audit.stale = true;
    if (!replaying()) this.renderEvents();
    if (changed) this.render();
  }

  async refresh(): Promise<void> {
    try {
      this.set(await api.alerts());
    } catch (e) {
      console.warn('alerts', e);
    }
  }

  /** Back to the live picture: the replayed moment's alerts are dropped. */
  wentLive(): void {
    if (!replaying()) this.historic = null;
    this.render();
    this.renderEvents();
  }

  /** What the panel shows: the live alerts, or in a replay those of the moment shown. */
  shown(): { t: number | null; alerts: Alert[] } {
    if (!replaying()) return { t: null, alerts: [...this.alerts.values()] };
    if (!this.historic) return { t: NaN, alerts: [] };
    const h = this.historic;
    return { t: h.t, alerts: withFrame(h.alerts, view.shown && view.shown.t === h.t ? view.shown : null) };
  }

  renderEvents(): void {
    const list = replaying() ? (this.historic?.events ?? []) : this.events;
    $('event-count').textContent = String(list.length);
    $('event-log').replaceChildren(
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

  /** Rebuild the list, at most every 300 ms (a busy picture sends alert updates often). */
  render(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastRender + 300 - performance.now());
    if (wait === 0) return this.renderNow();
    this.timer = window.setTimeout(() => {
      this.timer = null;
      this.renderNow();
    }, wait);
  }

  private renderNow(): void {
    this.lastRender = performance.now();
    const replay = replaying();
    const at = this.shown();
    // The selected alert: the one clicked, while its track is selected; else the first on it.
    const onTrack = at.alerts.filter((a) => a.track_id === view.selected);
    const chosen = replay ? undefined : (onTrack.find((a) => a.alert_id === this.picked) ?? onTrack[0]);
    this.readAudit(chosen?.alert_id ?? null);
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
      this.rows.clear();
      box.replaceChildren(el('div', { class: 'empty' }, replay ? 'No active alerts at the moment shown.' : 'No active alerts.'));
      return;
    }
    // Keyed update: a row whose content is unchanged keeps its DOM node and place, so a click
    // on its buttons is never lost to a redraw (alert messages arrive several times a second).
    const wanted = list.map((a) => {
      const who = (a.actions ?? []).map((x) => [x.action, x.operator, x.t]);
      const trail = this.audit?.alertId === a.alert_id ? [this.audit.entries?.length, this.audit.note] : null;
      const sig = JSON.stringify([a.state, a.track_id, siteName(a.site_id), Boolean(a.reasons), view.selected === a.track_id, replay, who, session.user?.roles, trail]);
      const old = this.rows.get(a.alert_id);
      if (old && old.sig === sig) {
        refreshRow(old.node, a); // priority and time to site change every second
        return old.node;
      }
      const node = this.row(a);
      this.rows.set(a.alert_id, { sig, node });
      return node;
    });
    const keep = new Set(wanted);
    for (const [id, row] of this.rows) if (!keep.has(row.node)) this.rows.delete(id);
    box.querySelector(':scope > .empty')?.remove();
    wanted.forEach((node, i) => {
      if (box.children[i] !== node) box.insertBefore(node, box.children[i] ?? null);
    });
    while (box.children.length > wanted.length) box.lastElementChild?.remove();
  }

  private row(a: Alert): HTMLElement {
    const actions = el('div', { class: 'actions' });
    const button = (label: string, action: Action, testid: string, cls = '') => {
      const b = el('button', { type: 'button', 'data-testid': `${testid}-${a.alert_id}`, class: cls }, label);
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        void this.act(a.alert_id, action, b);
      });
      if (!can(action)) {
        b.disabled = true;
        b.title = `Your role (${session.user?.roles.join(', ') || 'none'}) cannot ${action} alerts: ${ACTION_ROLES[action].join(' or ')} only`;
      }
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
        class: `alert state-${a.state}${view.selected === a.track_id ? ' selected' : ''}`,
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
      el('div', { class: 'meta' }, alertMeta(a)),
      a.reasons ? el('div', { class: 'reasons' }, a.reasons) : null,
      history(a),
      this.audit?.alertId === a.alert_id ? auditTrail(a.alert_id, this.audit.entries, this.audit.note) : null,
      actions,
    );
    row.addEventListener('click', () => {
      this.picked = a.alert_id;
      this.hooks.select(a.track_id);
    });
    return row;
  }

  /** Read the audit trail of `alertId` (the selected alert) when not read yet or stale. */
  private readAudit(alertId: number | null): void {
    if (alertId === null) {
      this.auditAbort?.abort();
      this.audit = null;
      return;
    }
    const cur = this.audit;
    if (cur && cur.alertId === alertId && !cur.stale) return;
    if (this.auditAbort && cur?.alertId === alertId) return; // one read at a time
    this.auditAbort?.abort();
    this.audit = { alertId, entries: cur?.alertId === alertId ? cur.entries : null, note: cur?.alertId === alertId ? cur.note : '', stale: false };
    const abort = (this.auditAbort = new AbortController());
    api
      .alertAudit(alertId, abort.signal)
      .then((entries) => {
        if (this.audit?.alertId === alertId) this.audit = { ...this.audit, entries, note: '' };
      })
      .catch((e: unknown) => {
        if ((e as Error).name === 'AbortError' || this.audit?.alertId !== alertId) return;
        const note =
          e instanceof HttpError && e.status === 404
            ? 'no audit trail on this server'
            : e instanceof HttpError && e.status === 403
              ? `your role cannot read the audit trail (${e.detail})`
              : `cannot read the audit trail: ${(e as Error).message}`;
        this.audit = { ...this.audit, entries: null, note };
      })
      .finally(() => {
        if (this.auditAbort === abort) this.auditAbort = null;
        this.render();
      });
  }

  private async act(alertId: number, action: Action, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const next = await api.alertAction(alertId, action); // the alert after it
      this.alerts.set(alertId, next);
      if (this.audit?.alertId === alertId) this.audit.stale = true;
      if (next.state === 'cleared') this.recentlyCleared.set(alertId, Date.now());
      this.render();
      this.hooks.changed();
    } catch (e) {
      button.disabled = false;
      const row = button.closest('.alert');
      const msg =
        e instanceof HttpError && e.status === 403
          ? `your role cannot ${action} this alert (${e.detail})`
          : e instanceof HttpError && e.status === 401
            ? 'sign in again'
            : e instanceof HttpError
              ? e.message
              : String(e);
      row?.querySelector('.err')?.remove();
      row?.querySelector('.actions')?.append(el('span', { class: 'err' }, `${action} failed: ${msg}`));
      if (e instanceof HttpError && (e.status === 409 || e.status === 404)) void this.refresh();
    }
  }
}

/** The selected alert's audit trail, one line an entry. */
function auditTrail(alertId: number, entries: AuditEntry[] | null, note: string): HTMLElement {
  const box = el('div', { class: 'audit', 'data-testid': `audit-${alertId}` }, el('div', { class: 'note', title: 'when it was done, by the server clock (the history above is in data time)' }, 'audit trail · wall clock, UTC'));
  if (!entries) {
    box.append(el('div', { class: 'note' }, note || 'reading…'));
    return box;
  }
  const ol = el('ol', {});
  for (const e of entries) {
    const [, verb = e.action, refused] = /^alert\.(\w+)(\.refused)?$/.exec(e.action) ?? [];
    const why = typeof e.detail.why === 'string' ? e.detail.why : '';
    const note = typeof e.detail.note === 'string' ? e.detail.note : '';
    ol.append(
      el(
        'li',
        { 'data-action': e.action, 'data-actor': e.actor, class: refused ? 'refused' : '' },
        `${utcTime(e.t)} `,
        el('b', {}, e.actor),
        ` (${[e.roles.join(', '), e.nation].filter(Boolean).join(', ') || 'no role'}) `,
        refused ? `was refused: ${verb}${why ? ` — ${why}` : ''}` : `${DONE[verb] ?? verb}${note ? ` — ${note}` : ''}`,
      ),
    );
  }
  if (!entries.length) ol.append(el('li', {}, 'nothing recorded yet'));
  box.append(ol);
  return box;
}

function refreshRow(row: HTMLElement, a: Alert): void {
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

/** Who did what: raised at T, then each operator action (by whom, when, note), oldest first. */
function history(a: Alert): HTMLElement {
  const ol = el('ol', { class: 'history', 'data-testid': `history-${a.alert_id}` });
  ol.append(el('li', { 'data-action': 'raise' }, `raised ${utcTime(a.t_raised)}`));
  for (const x of a.actions ?? []) {
    ol.append(
      el(
        'li',
        { 'data-action': x.action, 'data-operator': x.operator },
        `${DONE[x.action] ?? x.action} by `,
        el('b', {}, x.operator || 'unknown'),
        ` at ${utcTime(x.t)}`,
        x.note ? ` — ${x.note}` : '',
      ),
    );
  }
  if (a.state === 'cleared' && !(a.actions ?? []).some((x) => x.action === 'clear')) {
    ol.append(el('li', { 'data-action': 'auto-clear' }, `cleared automatically${a.t_cleared ? ` at ${utcTime(a.t_cleared)}` : ''}`));
  }
  return ol;
}

function alertMeta(a: Alert): string {
  return `alert #${a.alert_id} · track ${a.track_id} · time to site ${duration(a.time_to_site_s)} · raised ${utcTime(a.t_raised)}`;
}
