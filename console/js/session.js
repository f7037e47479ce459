// The session: one for all of this browser's tabs, its tokens refreshed before they expire (one tab
// at a time, under a Web Lock), ended on a 401, a sign-out or a sign-out in another tab. What the
// console does when a session starts or ends is main.js's (setSessionHooks), so that this module
// needs no screen.
import { ApiError } from './errors.js';
import { API, S } from './state.js';

export const SESSION_KEY = 'carelink.session';

const hooks = {
  start: async () => {}, // signed in (here or in another tab): load and show the console
  ended: () => {}, // (messageKey): stop the live updates, show the login
};
export function setSessionHooks(fns) { Object.assign(hooks, fns); }
export const startConsole = () => hooks.start();

// One session for all of this browser's tabs (localStorage): a tab opened later is signed in, a
// refresh in one tab serves all, and signing out in one signs out all.
export function storedSession() {
  try { return JSON.parse(localStorage.getItem(SESSION_KEY) || 'null'); } catch (e) { return null; }
}
export function saveSession(tokens) {
  S.session = {
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    exp: Date.now() + (Number(tokens.expires_in) || 900) * 1000,
  };
  localStorage.setItem(SESSION_KEY, JSON.stringify(S.session));
  scheduleRefresh();
}
export function userOf(access) {
  try {
    const part = access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part)).sub;
  } catch (e) { return null; }
}
// Another tab changed the session: take its tokens, follow its sign-out, or start again when
// someone else signed in there.
window.addEventListener('storage', (e) => {
  if (e.key !== SESSION_KEY && e.key !== null) return;
  const stored = storedSession();
  if (!stored) {
    if (S.session) endSession('login.elsewhere');
    return;
  }
  if (S.me && userOf(stored.access) !== S.me.id) { location.reload(); return; }
  S.session = stored;
  scheduleRefresh();
  if (!S.me) startConsole().catch(() => endSession('login.expired'));
});

let refreshTimer = null;
let refreshing = null;
export function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!S.session) return;
  const wait = Math.max(5000, S.session.exp - Date.now() - 60000);
  refreshTimer = setTimeout(() => { refreshTokens().catch(() => {}); }, wait);
}
export function refreshTokens() {
  if (refreshing) return refreshing;
  const current = S.session;
  if (!current) return Promise.reject(new ApiError(401, {}));
  // Tabs refresh one at a time (a lock shared by the tabs, where the browser has one); a tab that
  // waited finds the new tokens already stored and takes them instead of spending its old one.
  const run = async () => {
    const stored = storedSession();
    if (!stored) {
      endSession('login.elsewhere');
      throw new ApiError(401, {});
    }
    if (stored.refresh !== current.refresh && stored.exp - Date.now() > 30000) {
      S.session = stored;
      scheduleRefresh();
      return;
    }
    let res;
    try {
      res = await fetch(`${API}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: stored.refresh }),
      });
    } catch (e) {
      scheduleRetryRefresh();
      throw new ApiError(0, {});
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      if (res.status === 401 || res.status === 400 || res.status === 403) endSession('login.expired');
      throw new ApiError(res.status, body);
    }
    saveSession(await res.json());
  };
  const locked = navigator.locks ? navigator.locks.request('carelink.refresh', run) : run();
  refreshing = locked.finally(() => { refreshing = null; });
  return refreshing;
}
function scheduleRetryRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { refreshTokens().catch(() => {}); }, 15000);
}

export function endSession(messageKey) {
  clearTimeout(refreshTimer);
  S.session = null;
  if (messageKey !== 'login.elsewhere') localStorage.removeItem(SESSION_KEY);
  hooks.ended(messageKey);
}

// Back to a tab that slept: refresh first if the token is about to expire.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && S.session && S.session.exp - Date.now() < 90000) refreshTokens().catch(() => {});
});
