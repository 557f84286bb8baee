// The live WebSocket (`/ws?format=columns&access_token=…`, docs/live-api.md): binary column
// frames, and JSON `hello`, `alerts`, `events` (and `frame`) messages, handed to the hooks.
// Pings every 20 s; reconnects after a close with a backoff of 0.5 s doubling up to 10 s —
// except when the server refuses the token (4401: sign in, then `resume`) or the role (4403).

import { decodeColumns, isColumnFrame, type Alert, type AlertEvent, type Frame, type Hello, type JsonFrame } from './api';
import type { WsServerMessage } from './generated/api';
import { session } from './session';
import type { WsState } from './state';

export interface ConnectionHooks {
  state(s: WsState): void;
  frame(f: Frame | JsonFrame): void;
  /** A message that could not be decoded (or whose frame could not be taken). */
  rejected(): void;
  alerts(list: Alert[]): void;
  events(list: AlertEvent[]): void;
  hello(h: Hello): void;
  /** The server closed with 4401 (no or bad `token`, the one the socket was opened with) or
   * 4403 (role not allowed): no retry. */
  refused(code: 4401 | 4403, reason: string, token: string | null): void;
}

export function wsUrl(): string {
  const u = new URL('ws', window.location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('format', 'columns'); // frames as typed columns: nothing to parse
  // Browsers cannot set headers on a WebSocket: the token goes in the URL.
  if (session.token) u.searchParams.set('access_token', session.token);
  return u.toString();
}

const utf8 = new TextDecoder();

export class LiveConnection {
  private ws: WebSocket | null = null;
  private retry = 0;
  private pingTimer: number | null = null;
  private held = false; // refused: wait for resume()

  constructor(
    private readonly hooks: ConnectionHooks,
    private readonly url: () => string = wsUrl,
  ) {}

  connect(): void {
    this.hooks.state('connecting');
    const token = session.token;
    const sock = new WebSocket(this.url());
    this.ws = sock;
    sock.onopen = () => {
      this.retry = 0;
      this.hooks.state('open');
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      this.pingTimer = window.setInterval(() => {
        if (sock.readyState === WebSocket.OPEN) sock.send(JSON.stringify({ type: 'ping' }));
      }, 20000);
    };
    sock.binaryType = 'arraybuffer'; // frames come as binary messages of typed columns
    sock.onmessage = (e: MessageEvent) => this.message(e.data);
    sock.onclose = (e: CloseEvent) => {
      if (this.ws !== sock) return;
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      this.pingTimer = null;
      this.hooks.state('closed');
      if (e.code === 4401 || e.code === 4403) {
        this.held = true;
        this.hooks.refused(e.code, e.reason, token);
        return;
      }
      const delay = Math.min(10000, 500 * 2 ** this.retry++);
      window.setTimeout(() => {
        if (!this.held) this.connect();
      }, delay);
    };
    sock.onerror = () => {
      /* onclose follows */
    };
  }

  /** Connect again after a refusal (signed in again). */
  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.retry = 0;
    this.connect();
  }

  /** Close for good (the session ended): nothing more arrives until `resume`. */
  hold(): void {
    this.held = true;
    const sock = this.ws;
    this.ws = null;
    sock?.close();
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.hooks.state('closed');
  }

  private message(data: unknown): void {
    if (data instanceof ArrayBuffer && isColumnFrame(data)) {
      try {
        this.hooks.frame(decodeColumns(data));
      } catch (err) {
        this.hooks.rejected();
        console.warn('frame', err);
      }
      return;
    }
    let msg: WsServerMessage;
    try {
      const text = typeof data === 'string' ? data : utf8.decode(data as ArrayBuffer);
      msg = JSON.parse(text) as WsServerMessage;
    } catch {
      this.hooks.rejected();
      return;
    }
    switch (msg.type) {
      case 'frame':
        this.hooks.frame(msg);
        break;
      case 'alerts':
        this.hooks.alerts(msg.alerts ?? []);
        break;
      case 'events':
        this.hooks.events(msg.events ?? []);
        break;
      case 'hello':
        this.hooks.hello(msg);
        break;
      default:
        break; // pong
    }
  }
}
