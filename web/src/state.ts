// What the map's modules share: the picture shown (live, or a replayed moment), the run it
// belongs to, the selection and the WebSocket's state. One object; each field is written by
// the module named beside it and read by any.

import type { Frame } from './api';
import type { FrameArrays } from './tracks';

export type Mode = 'live' | 'replay';
export type WsState = 'connecting' | 'open' | 'closed';

export const view = {
  /** 'replay' once the time slider is moved back (timebar.ts). */
  mode: 'live' as Mode,
  /** The WebSocket's state (main.ts, from connection.ts). */
  wsState: 'connecting' as WsState,
  /** The server's mode from its hello: 'live', 'replay', … (main.ts). */
  serverMode: '',
  /** The run shown, and its source (timebar.ts). */
  runId: '',
  runSource: '',
  /** Data-time span of the run: first and last frame (POSIX s; NaN before any). */
  bounds: [NaN, NaN] as [number, number],
  /** The newest live frame, and the frame on screen with its typed arrays (main.ts). */
  liveFrame: null as Frame | null,
  shown: null as Frame | null,
  arrays: null as FrameArrays | null,
  /** `seq` of the last live frame (-1 before any). */
  lastSeq: -1,
  /** Data time asked of the replay (timebar.ts), and the play timer while it plays. */
  replayT: NaN,
  playing: null as number | null,
  /** The selected track (trackpanel.ts). */
  selected: null as number | null,
  counters: { received: 0, drawn: 0, replayFetched: 0, rejected: 0 },
};

/** Is a replay on screen: the slider moved back, or the server replays a recorded run? */
export function replaying(): boolean {
  return view.mode === 'replay' || view.serverMode === 'replay';
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** The page's URL parameters (?view=, ?declutter=, ?aa=, ?gputime=, ?hide=). */
export const params = new URLSearchParams(window.location.search);

const siteNames = new Map<string, string>();

/** A protected site's name from its id (the id itself until the sites are read). */
export function siteName(id: string): string {
  return siteNames.get(id) ?? id;
}

export function setSiteName(id: string, name: string): void {
  siteNames.set(id, name);
}
