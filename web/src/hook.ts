// window.dronewall: a small hook for browser tests and benchmarks (web/README.md, "Test hooks").

import type { Alert } from './api';
import type { HealthState } from './health';
import type { SessionUser } from './session';
import type { SensorRow } from './sensors';
import type { Mode, WsState } from './state';

export interface DronewallHook {
  trackCount(): number;
  /** Recent frame intervals in ms, measured with requestAnimationFrame (oldest first). */
  frameTimes(): number[];
  /** Number of requestAnimationFrame callbacks since the page loaded. */
  frameCount(): number;
  /** Recent deck.gl render durations (CPU side) in ms. */
  renderTimes(): number[];
  lastFrameSeq(): number;
  selectedTrack(): number | null;
  mode(): Mode;
  /** Data time of the picture shown (POSIX s), or null before the first frame. */
  dataTime(): number | null;
  wsState(): WsState;
  alerts(): Alert[];
  select(trackId: number | null): void;
  /** [lon, lat] of a track in the picture shown, or null when it is not in it. */
  position(trackId: number): [number, number] | null;
  goLive(): void;
  /** Frames received over the WebSocket, and frames drawn. */
  counters(): { received: number; drawn: number; replayFetched: number; rejected: number };
  /** The longest animation-frame gap after recent draws (EMA, ms) and the share of the symbol
   * and trail budgets the map is using because of it (1 = all). */
  drawCost(): { ms: number; budget: number; softwareGl: boolean };
  /** Sensors as last read from the server, problem sensors first. */
  sensors(): SensorRow[];
  /** Sensors drawn on the map (those with a position): id, state, lon, lat. */
  sensorsOnMap(): { id: string; state: string; lon: number; lat: number }[];
  /** How many times the sensors have been read. */
  sensorPolls(): number;
  selectedSensor(): string | null;
  selectSensor(id: string | null): void;
  /** The health banner's state (performance.now() times). */
  health(): HealthState;
  /** Whether a replay is shown (the slider moved back, or the server replays a run). */
  replay(): boolean;
  /** The alerts in the alert panel and the data time they belong to (null: the live ones). */
  shownAlerts(): { t: number | null; alerts: Alert[] };
  /** The signed-in user (name, roles, nation, clearance), or null before sign-in. */
  user(): SessionUser | null;
}

declare global {
  interface Window {
    dronewall: DronewallHook;
  }
}

export function installHook(hook: DronewallHook): void {
  window.dronewall = hook;
}
