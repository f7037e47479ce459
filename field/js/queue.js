// The outbox: every action a clinician takes (check-in, check-out with the record, running late,
// help) is saved here first with its Idempotency-Key and the phone's time, then sent in order
// whenever there is a network. Each item shows its state: queued, sending, sent, or refused with
// the server's reason. A refused item stays until the clinician dismisses it; nothing is dropped
// silently. A retry after a lost answer replays the server's first answer (same key, same body).
import { api, newKey, Offline, Problem } from './net.js';
import { KEYS, load, save } from './store.js';

let items = load(KEYS.queue, []).map((i) => (i.state === 'sending' ? { ...i, state: 'queued' } : i));
const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);
export const all = () => items;
export const unsent = () => items.filter((i) => i.state === 'queued' || i.state === 'sending');
function changed(item, answer) {
  save(KEYS.queue, items);
  for (const fn of listeners) fn(item, answer);
}

// The phone's time, with its offset (RFC 3339), as `recorded_at`.
function deviceTime(d = new Date()) {
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// Saves an action and starts sending. `action`: check-in | check-out | running-late | help.
export function add(visitId, action, body, label) {
  const at = deviceTime();
  const withTime = action === 'check-in' || action === 'check-out' ? { ...body, recorded_at: at } : body;
  const item = { key: newKey(), visit_id: visitId, action, body: withTime, label, at, state: 'queued', problem: null, user: load(KEYS.me, {}).id };
  items.push(item);
  changed(item);
  flush();
  return item;
}

export function dismiss(key) {
  items = items.filter((i) => i.key !== key);
  changed(null);
}
// Sent items are kept for the day, to show; older ones go.
export function prune(today) {
  const before = items.length;
  items = items.filter((i) => i.state !== 'sent' || i.at.slice(0, 10) >= today);
  if (items.length !== before) changed(null);
}

let running = null;
let again = false;
let onAuth = () => {};
export function onSignInNeeded(fn) { onAuth = fn; }

// Sends what is queued, oldest first; stops at the first that cannot be sent now (no network, the
// server busy, the session over) so that order is kept.
export function flush() {
  if (running) { again = true; return running; }
  running = (async () => {
    do {
      again = false;
      await sendAll();
    } while (again);
  })().finally(() => { running = null; });
  return running;
}

async function sendAll() {
  for (const item of items) {
    if (item.state !== 'queued') continue;
    item.state = 'sending';
    changed(item);
    try {
      const answer = await api(`/visits/${encodeURIComponent(item.visit_id)}/${item.action}`, { method: 'POST', body: item.body, key: item.key });
      item.state = 'sent';
      item.sent_at = deviceTime();
      changed(item, answer);
    } catch (e) {
      const retry = e instanceof Offline || (e instanceof Problem && (e.status === 401 || e.status === 429 || e.status >= 500));
      if (retry) {
        item.state = 'queued';
        changed(item);
        if (e instanceof Problem && e.status === 401) onAuth();
        return;
      }
      item.state = 'refused';
      item.problem = { status: e.status || 0, code: e.code || 'generic', detail: e.body ? e.body.detail : String(e.message), errors: e.errors || [] };
      changed(item);
    }
  }
}

// What a visit looks like with what is still waiting in the outbox applied.
export function pendingStatus(visitId) {
  let status = null;
  for (const i of items) {
    if (i.visit_id !== visitId || (i.state !== 'queued' && i.state !== 'sending')) continue;
    if (i.action === 'check-in') status = 'in_progress';
    if (i.action === 'check-out') status = 'completed';
  }
  return status;
}

setInterval(() => { if (unsent().length) flush(); }, 15000);
