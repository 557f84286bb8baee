// The track panel (`#track-panel`) and the selection: the selected track's columns in the
// frame shown, overlaid live with `GET /api/tracks/{id}` (class probabilities by class, class
// and threat reasons, the sensors that saw it); in a replay, the replayed frame's values.

import { api, HttpError, type Frame, type TrackDetail } from './api';
import { compass, duration, el, fixed, kindLabel, sensorKinds } from './format';
import type { AirMap } from './map';
import { $, siteName, view } from './state';
import { AFFIL_LABEL, CLASS_LABEL } from './symbols';

export interface TrackPanelHooks {
  /** The selection changed (the alert panel marks the track's alert). */
  selected(id: number | null): void;
  /** The state of an alert held live, if any. */
  alertState(alertId: number): string | undefined;
}

const P_CLASSES = [
  ['drone', 'p_drone', [255, 128, 128]],
  ['bird', 'p_bird', [170, 255, 170]],
  ['aircraft', 'p_aircraft', [128, 224, 255]],
  ['unknown', 'p_unknown', [255, 255, 128]],
] as const;

/** The frame's columns that are also the track detail's fields (same names on the server). */
const FRAME_FIELDS = ['id', 'lat', 'lon', 'alt', 'speed', 'course', 'climb', 'sigma', 'cls', 'p_drone', 'p_bird', 'p_aircraft', 'p_unknown', 'kind', 'affil', 'prio', 'site', 'tts', 'ident', 'alert'] as const satisfies readonly (keyof Frame & keyof TrackDetail)[];

export class TrackPanel {
  private detail: TrackDetail | null = null;
  private detailFor: number | null = null;
  private detailError = '';
  private detailAbort: AbortController | null = null;

  constructor(
    private readonly map: AirMap,
    private readonly hooks: TrackPanelHooks,
  ) {}

  /** Select a track (null: none), optionally panning the map to it. */
  select(id: number | null, pan = false): void {
    if (view.selected !== id) {
      this.detail = null;
      this.detailError = '';
      this.detailFor = null;
    }
    view.selected = id;
    this.updateRing();
    this.hooks.selected(id);
    this.render();
    if (id !== null) {
      this.refresh();
      const { shown, arrays } = view;
      if (pan && shown && arrays) {
        const row = arrays.rowOf.get(id);
        if (row !== undefined) this.map.panTo(shown.lon[row]!, shown.lat[row]!);
      }
    }
  }

  private updateRing(): void {
    const { selected, shown, arrays } = view;
    if (selected === null || !shown || !arrays) return this.map.setSelection(null);
    this.map.setSelection(arrays.rowOf.get(selected) ?? null);
  }

  /** Redraw from the frame shown, and (live) read the track's details again. */
  refresh(): void {
    const id = view.selected;
    if (id === null) return;
    this.render();
    if (view.mode !== 'live') return; // /api/tracks/{id} is the live picture; a replay frame has the columns
    if (this.detailAbort) return; // one request at a time
    this.detailAbort = new AbortController();
    api
      .track(id, this.detailAbort.signal)
      .then((d) => {
        if (view.selected !== id) return;
        this.detail = d;
        this.detailFor = id;
        this.detailError = '';
      })
      .catch((e: unknown) => {
        if (view.selected !== id || (e as Error).name === 'AbortError') return;
        this.detailError =
          e instanceof HttpError && e.status === 404 ? 'This track is no longer in the live picture.' : `Cannot load the track: ${(e as Error).message}`;
      })
      .finally(() => {
        this.detailAbort = null;
        if (view.selected === id) this.render();
      });
  }

  render(): void {
    const body = $('track-body');
    const id = view.selected;
    if (id === null) {
      body.replaceChildren(el('div', { class: 'empty' }, 'Click a track symbol on the map, or an alert, to see its details.'));
      return;
    }
    const { mode } = view;
    const detailError = this.detailError;
    // Columns of the frame on screen, overlaid with the live detail when we have it.
    const row = view.arrays?.rowOf.get(id);
    const f = view.shown;
    const fromFrame: Partial<Record<keyof TrackDetail, unknown>> = {};
    if (f && row !== undefined) {
      for (const k of FRAME_FIELDS) fromFrame[k] = (f[k] as ArrayLike<unknown>)[row];
    }
    const live = mode === 'live' && this.detailFor === id ? this.detail : null;
    const d = { ...fromFrame, ...(live ?? {}) } as Partial<TrackDetail>;
    const has = Object.keys(d).length > 0;
    const cls = String(d.cls ?? 'UNKNOWN').toUpperCase();
    const affil = String(d.affil ?? 'U');
    const pmap: Record<string, number> = {};
    for (const [k, v] of Object.entries(live?.p ?? {})) if (typeof v === 'number') pmap[k.toLowerCase()] = v;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

    const head = el(
      'div',
      { class: 'head' },
      el('img', { src: this.map.atlas.dataUrl(cls, affil), alt: `${cls} ${affil}` }),
      el(
        'div',
        {},
        el('div', { class: 'name', 'data-testid': 'track-title' }, `Track ${id}`),
        el('div', { class: 'sub' }, `${CLASS_LABEL[cls] ?? cls} · ${AFFIL_LABEL[affil] ?? affil}`),
      ),
    );
    const close = el('button', { type: 'button', class: 'close', title: 'Deselect', 'data-testid': 'track-close' }, '×');
    close.addEventListener('click', () => this.select(null));
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
    const speed = num(d.speed);
    const course = num(d.course);
    const prio = num(d.prio) ?? 0;
    const site = d.site ?? '';
    const kind = kindLabel(d.kind);
    const ident = d.ident ?? '';
    const alertId = num(d.alert);
    const rows: [string, string][] = [
      ['class', `${CLASS_LABEL[cls] ?? cls}`],
      ['drone kind', kind || '—'],
      ['identity', ident || '—'],
      ['standard identity', `${AFFIL_LABEL[affil] ?? affil} (${affil})`],
      ['speed', speed == null ? '—' : `${speed.toFixed(1)} m/s · ${(speed * 3.6).toFixed(0)} km/h`],
      ['heading', course == null ? '—' : `${course.toFixed(0)}° ${compass(course)}`],
      ['altitude', fixed(num(d.alt), 0, 'm')],
      ['climb', fixed(num(d.climb), 1, 'm/s')],
      ['position', `${fixed(num(d.lat), 5)}, ${fixed(num(d.lon), 5)} ± ${fixed(num(d.sigma), 0, 'm')}`],
      ['threat priority', prio > 0 ? `${prio.toFixed(0)} / 100` : '0 (no threat)'],
      ['threatened site', site ? siteName(site) : '—'],
      ['time to site', duration(num(d.tts))],
      ['alert', alertId ? `#${alertId} (${this.hooks.alertState(alertId) ?? 'active'})` : 'none'],
    ];
    if (live) rows.push(['seen by', sensorKinds(live.sensor_kinds)]);
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
        el('p', { 'data-testid': 'class-reasons' }, live.class_reasons || '—'),
        el('h3', {}, 'Why this threat'),
        el('p', { 'data-testid': 'threat-reasons' }, live.threat_reasons || '—'),
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
}
