// The map's hover tooltips: a protected site, a sensor, or a track of the frame shown.

import { compass, duration, esc, fixed, kindLabel } from './format';
import type { Hovered } from './map';
import { age, kindName, rate, STATE_LABEL } from './sensors';
import { siteName, view } from './state';
import { AFFIL_LABEL, CLASS_LABEL } from './symbols';

export function tooltip(h: Hovered): string | null {
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
  const f = view.shown;
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
