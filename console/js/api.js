// The API client: bearer token, refresh before expiry (and once on a 401), problem+json errors.
import { ApiError } from './errors.js';
import { endSession, refreshTokens } from './session.js';
import { API, S } from './state.js';

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export async function api(path, opts = {}) {
  const { method = 'GET', body, raw = false, key } = opts;
  if (S.session && S.session.exp - Date.now() < 30000) {
    await refreshTokens().catch(() => {});
  }
  const idem = method === 'POST' ? key || newKey() : null;
  const send = () => {
    const headers = { Accept: raw ? '*/*' : 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (S.session) headers.Authorization = `Bearer ${S.session.access}`;
    if (idem) headers['Idempotency-Key'] = idem;
    return fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let res;
  try {
    res = await send();
    if (res.status === 401 && S.session && !opts.noRefresh) {
      await refreshTokens();
      res = await send();
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(0, {});
  }
  if (!res.ok) {
    const ct = res.headers.get('Content-Type') || '';
    const data = ct.includes('json') ? await res.json().catch(() => ({})) : {};
    if (res.status === 401 && !opts.noRefresh) endSession('login.expired');
    throw new ApiError(res.status, data);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

// Every page of a list.
export async function all(path) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}
export const q = (params) => Object.entries(params)
  .filter(([, v]) => v !== null && v !== undefined && v !== '')
  .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

export function markOwn(id) { if (id) S.own.set(id, Date.now()); }
