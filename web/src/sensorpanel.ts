// The sensors panel (`#sensor-panel`): every sensor with its kind, nation, health state, last
// report age, report rate and rejects — problem sensors (stale, offline, fault) first and
// highlighted — the selected sensor's details, and the feeds with their connection and rejects.
// A header chip (`#sensor-alarm`) counts the problem sensors wherever the sidebar is scrolled.
// The server is re-read every POLL_MS, so sensors appear as they register.

import { api, HttpError } from './api';
import { el, fixed } from './format';
import type { SensorAtlas } from './sensoricons';
import {
  age,
  feedRows,
  isProblem,
  kindName,
  rate,
  rejectTotal,
  sensorRows,
  sortSensors,
  STATE_LABEL,
  type FeedRow,
  type SensorRow,
} from './sensors';

export const POLL_MS = 2000; // sensors appear, and go stale, on the map within 2 s
// Rows drawn in the list: problem sensors come first, so they are always among them; a network
// of thousands of cheap nodes would otherwise rebuild thousands of rows every poll.
const MAX_ROWS = 300;

const $ = (id: string) => document.getElementById(id) as HTMLElement;

export interface SensorPanelHooks {
  /** New sensor rows from the server (every poll). */
  sensors(rows: SensorRow[]): void;
  /** A sensor was selected in the panel or on the map (null: deselected). */
  selected(row: SensorRow | null): void;
}

export class SensorPanel {
  rows: SensorRow[] = [];
  feeds: FeedRow[] = [];
  polls = 0;
  error = '';
  private selectedId: string | null = null;
  private timer: number | null = null;
  private inFlight = false;

  constructor(
    private readonly atlas: SensorAtlas,
    private readonly hooks: SensorPanelHooks,
  ) {
    $('sensor-alarm').addEventListener('click', () => $('sensor-panel').scrollIntoView({ block: 'start', behavior: 'smooth' }));
  }

  /** Read the server now, then every POLL_MS; resolves after the first read. */
  async start(): Promise<void> {
    await this.poll();
    if (this.timer === null) this.timer = window.setInterval(() => void this.poll(), POLL_MS);
  }

  async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const [sensors, feeds] = await Promise.all([api.sensors(), api.feeds().catch(() => [])]);
      this.rows = sortSensors(sensorRows(sensors));
      this.feeds = feedRows(feeds);
      this.error = '';
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) {
        this.rows = []; // nothing live: no sensors to show
        this.error = '';
      } else {
        this.error = `cannot read the sensors: ${(e as Error).message}`;
      }
    } finally {
      this.inFlight = false;
      this.polls++;
    }
    this.hooks.sensors(this.rows);
    this.render();
  }

  select(id: string | null): void {
    this.selectedId = this.selectedId === id ? null : id;
    this.render();
    this.hooks.selected(this.selectedRow());
    if (this.selectedId !== null) $('sensor-detail').scrollIntoView({ block: 'nearest' });
  }

  selectedRow(): SensorRow | null {
    return this.rows.find((r) => r.id === this.selectedId) ?? null;
  }

  get selected(): string | null {
    return this.selectedId;
  }

  private render(): void {
    const problems = this.rows.filter((r) => isProblem(r.state));
    $('sensor-count').textContent = String(this.rows.length);
    const badge = $('sensor-problems');
    badge.hidden = problems.length === 0;
    badge.textContent = `${problems.length} need attention`;
    const alarm = $('sensor-alarm');
    alarm.hidden = problems.length === 0;
    alarm.textContent = `⚠ ${problemText(problems)}`;
    alarm.title = problems.map((r) => `${r.name}: ${STATE_LABEL[r.state]}`).join('\n');

    const list = $('sensor-list');
    const parts: Node[] = [];
    if (this.error) parts.push(el('div', { class: 'err' }, this.error));
    if (!this.rows.length) parts.push(el('div', { class: 'empty' }, this.error ? '' : 'No sensors have registered yet.'));
    for (const r of this.rows.slice(0, MAX_ROWS)) parts.push(this.row(r));
    if (this.rows.length > MAX_ROWS) {
      const rest = this.rows.slice(MAX_ROWS);
      const hidden = rest.filter((r) => isProblem(r.state)).length;
      parts.push(el('div', { class: 'empty' }, `… and ${rest.length} more${hidden ? ` (${hidden} with problems)` : ''}: click a sensor on the map for its details`));
    }
    list.replaceChildren(...parts);
    this.renderDetail();
    this.renderFeeds();
  }

  private row(r: SensorRow): HTMLElement {
    const problem = isProblem(r.state);
    const node = el(
      'div',
      {
        class: `sensor state-${r.state}${problem ? ' problem' : ''}${r.id === this.selectedId ? ' selected' : ''}`,
        'data-testid': `sensor-${r.id}`,
        'data-sensor-id': r.id,
        'data-state': r.state,
        title: `${r.name}: ${STATE_LABEL[r.state]}${r.status ? ` (${r.status})` : ''} — click for details`,
      },
      el(
        'div',
        { class: 'row1' },
        el('img', { src: this.atlas.dataUrl(r.kind, r.state), alt: '' }),
        el('span', { class: 'name' }, r.name),
        el('span', { class: `sstate ${r.state}`, 'data-testid': `sensor-state-${r.id}` }, r.state),
      ),
      el('div', { class: 'meta' }, sensorMeta(r)),
    );
    node.addEventListener('click', () => this.select(r.id));
    return node;
  }

  private renderDetail(): void {
    const box = $('sensor-detail');
    const r = this.selectedRow();
    if (!r) {
      box.replaceChildren();
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const close = el('button', { type: 'button', class: 'close', title: 'Close', 'data-testid': 'sensor-close' }, '×');
    close.addEventListener('click', () => this.select(null));
    const place = r.lat === null || r.lon === null ? 'not known yet' : `${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}`;
    const rows: [string, string][] = [
      ['id', r.id],
      ['kind', kindName(r.kind)],
      ['nation', r.nation || '—'],
      ['vendor', r.vendor || '—'],
      ['feed', r.feed || '—'],
      ['state', STATE_LABEL[r.state]],
      ['its status', r.status || '—'],
      ['position', place],
      ['altitude', fixed(r.altM, 0, 'm')],
      ['max range', r.maxRangeM === null ? 'unknown' : fixed(r.maxRangeM / 1000, 1, 'km')],
    ];
    if (r.live) {
      rows.push(
        ['last report', r.reportAgeS === null ? 'never' : `${age(r.reportAgeS)} ago`],
        ['silent for', age(r.silentS)],
        ['reports', String(r.reports ?? 0)],
        ['rate', rate(r.rateHz)],
        ['rejects', String(r.rejects ?? 0)],
      );
    }
    box.replaceChildren(
      el(
        'div',
        { class: 'head' },
        el('img', { src: this.atlas.dataUrl(r.kind, r.state), alt: '' }),
        el('div', { class: 'name', 'data-testid': 'sensor-title' }, r.name),
        close,
      ),
      el('table', { class: 'kv', 'data-testid': 'sensor-detail' }, ...rows.map(([k, v]) => el('tr', { 'data-field': k }, el('th', {}, k), el('td', {}, v)))),
    );
  }

  private renderFeeds(): void {
    $('feed-count').textContent = String(this.feeds.length);
    $('feed-box').hidden = this.feeds.length === 0;
    $('feed-list').replaceChildren(
      ...this.feeds.map((f) => {
        const rejects = rejectTotal(f);
        const up = /^(connected|listening)/.test(f.connection);
        const reasons = Object.entries(f.rejects).map(([k, n]) => `${k}: ${n}`).join(', ');
        return el(
          'div',
          { class: `feed${up ? '' : ' down'}`, 'data-testid': `feed-${f.name}`, title: f.url },
          el(
            'div',
            { class: 'row1' },
            el('span', { class: 'name' }, f.name),
            el('span', { class: 'fmt' }, f.format),
            el('span', { class: `conn${up ? ' up' : ''}`, 'data-testid': `feed-conn-${f.name}` }, f.connection),
          ),
          el(
            'div',
            { class: 'meta' },
            `${f.messages} messages · ${f.reports} reports · `,
            el('span', { class: rejects ? 'rej' : '', 'data-testid': `feed-rejects-${f.name}`, title: f.lastReject ? `last: ${f.lastReject}` : '' }, `${rejects} rejected${reasons ? ` (${reasons})` : ''}`),
            f.silentS !== null ? ` · last message ${age(f.silentS)} ago` : f.messages ? '' : ' · nothing received yet',
            f.reconnects ? ` · ${f.reconnects} reconnects` : '',
          ),
        );
      }),
    );
  }
}

function problemText(problems: SensorRow[]): string {
  if (problems.length === 1) return `sensor ${problems[0]!.name} ${problems[0]!.state}`;
  const by = new Map<string, number>();
  for (const r of problems) by.set(r.state, (by.get(r.state) ?? 0) + 1);
  return `${problems.length} sensors: ${[...by].map(([s, n]) => `${n} ${s}`).join(', ')}`;
}

function sensorMeta(r: SensorRow): string {
  const parts = [kindName(r.kind)];
  if (r.nation) parts.push(r.nation);
  if (r.live) {
    parts.push(r.reportAgeS === null ? 'no report yet' : `last report ${age(r.reportAgeS)} ago`);
    parts.push(rate(r.rateHz));
    parts.push(`${r.rejects ?? 0} rejects`);
  } else if (r.maxRangeM !== null) {
    parts.push(`range ${fixed(r.maxRangeM / 1000, 1, 'km')}`);
  }
  if (r.lat === null || r.lon === null) parts.push('position unknown');
  return parts.join(' · ');
}
