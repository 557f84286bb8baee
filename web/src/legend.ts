// The legend (`#legend`): every symbol and colour the map uses.

import { el } from './format';
import type { AirMap } from './map';
import { SENSOR_RGB } from './sensoricons';
import { kindName, SENSOR_STATES, STATE_LABEL, type SensorRow } from './sensors';
import { $ } from './state';
import { AFFIL_LABEL, AFFIL_RGB } from './symbols';

export function buildLegend(map: AirMap): void {
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
