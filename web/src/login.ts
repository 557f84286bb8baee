// The sign-in page and the signed-in user (contract: docs/auth.md). With no accepted token the
// map is covered by a sign-in form (`#login`) that posts `POST /api/auth/login` and keeps the
// token (session.ts); the header then shows the user, their roles, nation and clearance, and a
// sign-out button. A server without sign-in (`serve --auth none`) answers `GET /api/auth/me`
// without a token: the form is never shown. When the server stops accepting the token (401 on
// a call, 4401 on the WebSocket) the form comes back; signing in again as the same user carries
// on where the map was, as another user reloads the page (nothing of the last user's picture
// is kept).

import { api, HttpError } from './api';
import { el } from './format';
import { forget, session, signedIn, type SessionUser } from './session';
import { $ } from './state';

export class SignIn {
  private readonly box = $('login');
  private readonly form = $<HTMLFormElement>('login-form');
  private readonly error = $('login-error');
  private waiting: ((u: SessionUser | null) => void)[] = [];

  constructor() {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    $('sign-out').addEventListener('click', () => {
      forget();
      window.location.reload(); // nothing of the picture stays in the page
    });
  }

  /** The user to show the map to: the kept token's, everyone's on a server without sign-in,
   * or whoever signs in through the form. null: a server without sign-in routes. */
  async ready(): Promise<SessionUser | null> {
    if (session.token) {
      try {
        const user = await api.me(session.token);
        signedIn(session.token, user);
        this.renderUser();
        return user;
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 401)) return this.ask(`Cannot check the sign-in: ${(e as Error).message}`);
        forget(); // expired or revoked: is sign-in needed at all?
      }
    }
    try {
      const user = await api.me(null);
      session.signInRequired = false;
      signedIn(null, user);
      this.renderUser();
      return user;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) {
        session.signInRequired = false; // a server from before sign-in
        this.renderUser();
        return null;
      }
      if (e instanceof HttpError && e.status === 401) return this.ask('');
      return this.ask(`Cannot reach the server: ${(e as Error).message}`);
    }
  }

  /** Show the form (with `note` above it), resolving with the user once signed in. */
  ask(note: string): Promise<SessionUser | null> {
    $('login-note').textContent = note;
    $('login-note').hidden = !note;
    this.error.hidden = true;
    this.box.hidden = false;
    document.body.classList.add('signed-out');
    $<HTMLInputElement>('login-user').focus();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  get showing(): boolean {
    return !this.box.hidden;
  }

  private async submit(): Promise<void> {
    const name = $<HTMLInputElement>('login-user').value.trim();
    const password = $<HTMLInputElement>('login-password').value;
    const button = $<HTMLButtonElement>('login-submit');
    if (!name || !password) return this.fail('Enter your user name and password.');
    button.disabled = true;
    this.error.hidden = true;
    try {
      const answer = await api.login(name, password);
      signedIn(answer.access_token, answer.user);
    } catch (e) {
      const why =
        e instanceof HttpError
          ? e.status === 401
            ? `Sign-in refused: ${e.detail || 'wrong user name or password'}`
            : e.status === 429
              ? `Too many attempts: ${e.detail}`
              : `Sign-in failed: ${e.message}`
          : `Cannot reach the server: ${(e as Error).message}`;
      return this.fail(why);
    } finally {
      button.disabled = false;
    }
    $<HTMLInputElement>('login-password').value = '';
    if (session.lastUser !== null && session.lastUser !== session.user?.name) {
      window.location.reload(); // another user: start clean with their token
      return;
    }
    this.box.hidden = true;
    document.body.classList.remove('signed-out');
    this.renderUser();
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(session.user);
  }

  private fail(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** The header's user box: name, roles, nation, clearance, sign out. */
  renderUser(): void {
    const box = $('user-box');
    const u = session.user;
    box.hidden = !u;
    if (!u) return;
    $('sign-out').hidden = !session.token;
    $('user-info').replaceChildren(
      el('b', { 'data-testid': 'user-name' }, u.name),
      ' · ',
      el('span', { 'data-testid': 'user-roles', title: 'roles' }, u.roles.join(', ') || 'no role'),
      ' · ',
      el('span', { 'data-testid': 'user-nation', title: 'nation' }, u.nation),
      ' · ',
      el('span', { 'data-testid': 'user-clearance', title: 'clearance' }, u.clearance),
      session.token ? '' : el('span', { class: 'muted', title: 'this server does not ask anyone to sign in' }, ' (no sign-in)'),
    );
  }
}
