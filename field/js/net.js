// The API from the phone: bearer token, refreshed before it expires (and once on a 401);
// problem+json answers become Problem, no answer at all becomes Offline. Also watches the
// server's clock (the Date header) so the app can say when the phone's clock is off.
import { KEYS, load, save } from './store.js';

export const API = '/api/v1';

export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || `http_${status}`;
    this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}
export class Offline extends Error {}

let session = load(KEYS.session);
export const hasSession = () => !!session;
export function setSession(tokens) {
  session = {
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    exp: Date.now() + (Number(tokens.expires_in) || 900) * 1000,
  };
  save(KEYS.session, session);
}
export function forgetSession() {
  session = null;
}

// Minutes the phone's clock runs ahead of the server's (negative: behind), from the last answer.
export let clockSkewMinutes = 0;
function noteClock(res) {
  const date = Date.parse(res.headers.get('Date') || '');
  if (!Number.isNaN(date)) clockSkewMinutes = Math.round((Date.now() - date) / 60000);
}

async function post(path, body, headers = {}) {
  return fetch(API + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function answer(res) {
  noteClock(res);
  const data = res.status === 204 ? null : await res.json().catch(() => ({}));
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

export async function signIn(username, password) {
  let res;
  try {
    res = await post('/auth/token', { username, password });
  } catch (e) {
    throw new Offline();
  }
  setSession(await answer(res));
}

let refreshing = null;
function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      let res;
      try {
        res = await post('/auth/refresh', { refresh_token: session.refresh });
      } catch (e) {
        throw new Offline();
      }
      setSession(await answer(res));
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

// One call. `key` is the Idempotency-Key of a POST (the outbox keeps it across retries).
export async function api(path, { method = 'GET', body, key } = {}) {
  if (!session) throw new Problem(401, { code: 'unauthenticated' });
  if (session.exp - Date.now() < 20000) await refresh();
  const send = () => fetch(API + path, {
    method,
    headers: {
      Accept: 'application/json',
      Authorization: `Bearer ${session.access}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(key ? { 'Idempotency-Key': key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let res;
  try {
    res = await send();
    if (res.status === 401) {
      await refresh();
      res = await send();
    }
  } catch (e) {
    if (e instanceof Problem || e instanceof Offline) throw e;
    throw new Offline();
  }
  return answer(res);
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (x) => x.toString(16).padStart(2, '0')).join('');
}

// The phone's position, or null when it cannot be had (no permission, no fix in time).
export function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: Number(p.coords.latitude.toFixed(6)), lon: Number(p.coords.longitude.toFixed(6)) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });
}
