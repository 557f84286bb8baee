// Who is signed in: the access token (kept in sessionStorage: one tab's session, gone when
// the tab closes) and the user it belongs to (`GET /api/auth/me`), what their roles let them
// do, and who to tell when the server stops accepting the token (401, WebSocket 4401).

import type { User } from './generated/api';

/** The signed-in user as the server describes them (`User`: name, roles, nation, clearance,
 * communities). */
export type SessionUser = User;

export type AlertAction = 'acknowledge' | 'engage' | 'clear';

/** The roles that may take each alert action (the server's `access.ALERT_ACTIONS`). */
export const ACTION_ROLES: Record<AlertAction, readonly string[]> = {
  acknowledge: ['operator', 'commander'],
  engage: ['operator', 'commander'],
  clear: ['commander'],
};

const KEY = 'dronewall.token';

function stored(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: sign in again on every load
  }
}

export const session = {
  token: stored(),
  user: null as SessionUser | null,
  /** False when the server lets everyone in without signing in (`serve --auth none`). */
  signInRequired: true,
  /** Who was signed in before the session ended (a new sign-in by someone else reloads). */
  lastUser: null as string | null,
};

export function signedIn(token: string | null, user: SessionUser): void {
  session.token = token;
  session.user = user;
  try {
    if (token) window.sessionStorage.setItem(KEY, token);
    else window.sessionStorage.removeItem(KEY);
  } catch {
    /* kept in memory only */
  }
}

export function forget(): void {
  session.lastUser = session.user?.name ?? session.lastUser;
  session.token = null;
  session.user = null;
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    /* nothing kept */
  }
}

/** `Authorization: Bearer …` for a REST call, when signed in. */
export function authHeaders(token: string | null = session.token): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** May the signed-in user take `action`? (Unknown user — a server without sign-in routes — may.) */
export function can(action: AlertAction): boolean {
  const u = session.user;
  return !u || u.roles.some((r) => ACTION_ROLES[action].includes(r));
}

let onExpired: (why: string) => void = () => undefined;

/** Who to call when the server refuses the token (expired, revoked, user removed). */
export function whenExpired(hook: (why: string) => void): void {
  onExpired = hook;
}

/** The server refused `token` (the one a call was made with): forget it and ask for a
 * sign-in — unless a newer sign-in has replaced it meanwhile. */
export function expired(why: string, token: string | null = session.token): void {
  if (token !== session.token) return; // an answer to a call made before the last sign-in
  if (!session.token && !session.signInRequired) return;
  forget();
  onExpired(why);
}
