// The field app: sign in, the day's route, a visit, the outbox. The day is fetched when there is a
// network and kept on the phone for that day (store.js), so the route opens offline; actions go
// through the outbox (queue.js). Installed as an app by its manifest and service worker.
import { $, clear, h } from '/console/js/dom.js';
import { api, clockSkewMinutes, forgetSession, hasSession, Offline, Problem, signIn } from './net.js';
import * as outbox from './queue.js';
import { clearAll, KEYS, keepDays, load, save } from './store.js';
import { addDays, applyLang, districtToday, has, hhmm, lang, t, toggleLang } from './strings.js';
import { renderFamily } from './family.js';
import { renderVisit, statusBadge } from './visit.js';

const S = {
  me: load(KEYS.me),
  date: districtToday(),
  day: null, // {date, saved_at, route, visits, residents, services}
  offline: false, // the last fetch of the day found no network
  loading: false,
};

let toastTimer = null;
function toast(text) {
  const box = $('#toast');
  box.textContent = text || '';
  box.classList.toggle('show', !!text);
  clearTimeout(toastTimer);
  if (text) toastTimer = setTimeout(() => box.classList.remove('show'), 4000);
}

// ---- Sign-in and sign-out ----
function renderLogin(messageKey) {
  const app = clear($('#app'));
  const pending = outbox.unsent();
  const owner = pending.length ? load(KEYS.me) : null;
  const err = h('div', { class: 'login-error', role: 'alert' }, messageKey ? t(messageKey) : null);
  const user = h('input', { id: 'login-username', autocomplete: 'username', required: true, value: owner ? owner.username : '' });
  const pass = h('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const form = h('form', { class: 'card login-form' },
    h('h1', null, 'carelink ', t('app.title')),
    h('h2', null, t('login.title')),
    owner ? h('p', { class: 'warn' }, t('login.pending', { n: pending.length, user: owner.username })) : null,
    h('label', { for: 'login-username' }, t('login.username')), user,
    h('label', { for: 'login-password' }, t('login.password')), pass,
    err, btn,
    h('button', { type: 'button', class: 'btn btn-link lang', on: { click: () => { toggleLang(); renderLogin(messageKey); } } }, t('top.lang')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    btn.disabled = true;
    btn.textContent = t('login.busy');
    try {
      await signIn(user.value.trim(), pass.value);
      const me = await api('/me');
      if (S.me && S.me.id !== me.id) clearAll(); // another clinician's day never shows
      S.me = me;
      save(KEYS.me, me);
      await start();
    } catch (ex) {
      const locked = ex instanceof Problem && (ex.status === 423 || ex.status === 429 || ex.code === 'account_locked');
      err.textContent = ex instanceof Offline ? t('login.offline') : locked ? t('login.locked') : t('login.failed');
    } finally {
      btn.disabled = false;
      btn.textContent = t('login.submit');
    }
  });
  app.append(form);
}

function signOut() {
  const n = outbox.unsent().length;
  if (n && !window.confirm(t('out.unsent_signout', { n }))) return;
  const session = load(KEYS.session);
  if (session && navigator.onLine) {
    fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session.access}` }, body: JSON.stringify({ refresh_token: session.refresh }) }).catch(() => {});
  }
  clearAll();
  forgetSession();
  S.me = null;
  S.day = null;
  location.hash = '';
  location.reload();
}

// ---- The day ----
async function fetchDay(date) {
  const route = await api(`/clinicians/${encodeURIComponent(S.me.id)}/route?date=${date}`);
  const visits = {};
  const residents = {};
  await Promise.all(route.stops.map(async (s) => { visits[s.visit_id] = await api(`/visits/${encodeURIComponent(s.visit_id)}`); }));
  const ids = [...new Set(route.stops.map((s) => s.resident_id))];
  await Promise.all(ids.map(async (id) => { residents[id] = await api(`/residents/${encodeURIComponent(id)}`); }));
  const cached = load(KEYS.day(date));
  let services = cached && cached.services;
  if (!services) {
    services = {};
    for (const st of (await api('/service-types')).items || []) services[st.code] = st.name;
  }
  return { date, saved_at: new Date().toISOString(), route, visits, residents, services };
}

async function loadDay(date) {
  S.date = date;
  S.day = load(KEYS.day(date));
  S.loading = !S.day;
  render();
  try {
    const day = await fetchDay(date);
    save(KEYS.day(date), day);
    keepDays([districtToday(), date]);
    if (S.date !== date) return;
    S.day = day;
    S.offline = false;
  } catch (e) {
    if (e instanceof Problem && e.status === 401) { renderLogin('login.again'); return; }
    S.offline = e instanceof Offline;
    if (!S.offline) toast(e.message || t('err.generic'));
  }
  S.loading = false;
  render();
}

// A sent action's answer is the visit as it is now: the saved day takes it.
outbox.onChange((item, answer) => {
  if (item && item.state === 'sent' && answer && answer.id && answer.status) {
    for (const key of [KEYS.day(S.date), KEYS.day(districtToday())]) {
      const day = load(key);
      if (day && day.visits[answer.id]) {
        day.visits[answer.id] = answer;
        const stop = day.route.stops.find((s) => s.visit_id === answer.id);
        if (stop) stop.status = answer.status;
        save(key, day);
        if (S.day && S.day.date === day.date) S.day = day;
      }
    }
  }
  if (S.me) renderChrome();
});
outbox.onSignInNeeded(() => renderLogin('login.again'));

// ---- Screens ----
function topbar() {
  const online = navigator.onLine && !S.offline;
  const skew = Math.abs(clockSkewMinutes) >= 3 ? h('div', { class: 'banner warn clock' }, t('net.clock', { m: clockSkewMinutes })) : null;
  return [h('header', { class: 'top' },
    h('div', { class: 'who' }, h('strong', { class: 'user-name' }, S.me.display_name), ' ', h('span', { class: `net ${online ? 'on' : 'off'}` }, t(online ? 'net.online' : 'net.offline'))),
    h('div', { class: 'top-actions' },
      h('button', { class: 'btn btn-small', type: 'button', on: { click: () => { toggleLang(); render(); } } }, t('top.lang')),
      h('button', { class: 'btn btn-small signout', type: 'button', on: { click: signOut } }, t('top.signout')))), skew];
}

function dayNav() {
  const today = districtToday();
  const label = S.date === today ? `${t('day.today')} ${S.date.slice(5)}` : S.date;
  return h('nav', { class: 'daynav' },
    h('button', { class: 'btn btn-small prev', type: 'button', 'aria-label': t('day.prev'), on: { click: () => loadDay(addDays(S.date, -1)) } }, '‹'),
    h('span', { class: 'date', data: { date: S.date } }, label),
    h('button', { class: 'btn btn-small next', type: 'button', 'aria-label': t('day.next'), on: { click: () => loadDay(addDays(S.date, 1)) } }, '›'));
}

function dayList() {
  if (S.loading) return h('p', { class: 'empty' }, t('day.loading'));
  if (!S.day) return h('p', { class: 'empty' }, t(S.offline ? 'day.nocache' : 'day.empty'));
  const { route } = S.day;
  const note = S.offline ? h('div', { class: 'banner offline' }, t('day.cached', { time: hhmm(S.day.saved_at) })) : null;
  if (!route.stops.length) return [note, h('p', { class: 'empty' }, t('day.empty'))];
  return [note,
    h('p', { class: 'summary' }, t('day.summary', { n: route.stops.length, m: route.total_travel_minutes })),
    h('ol', { class: 'stops' }, route.stops.map((s, i) => {
      const v = S.day.visits[s.visit_id] || { id: s.visit_id, status: s.status };
      const r = S.day.residents[s.resident_id] || {};
      return h('li', { class: 'card stop', data: { visit: s.visit_id }, tabindex: 0, role: 'button', on: { click: () => { location.hash = `#visit/${s.visit_id}`; }, keydown: (e) => { if (e.key === 'Enter') location.hash = `#visit/${s.visit_id}`; } } },
        h('div', { class: 'stop-head' }, h('span', { class: 'n' }, String(i + 1)), h('strong', { class: 'time' }, `${hhmm(s.starts_at)}–${hhmm(v.ends_at || s.departure)}`), ' ', statusBadge(v)),
        h('div', { class: 'name' }, r.name || s.resident_id, ' · ', S.day.services[s.service_type] || s.service_type),
        h('div', { class: 'addr' }, r.address || ''),
        h('div', { class: 'meta' }, t('stop.arrive', { time: hhmm(s.arrival) }), ' · ', t('day.travel', { m: s.travel_minutes }),
          (r.priority_flags || []).map((f) => h('span', { class: 'chip flag' }, has(`flag.${f}`) ? t(`flag.${f}`) : f))));
    })),
    route.back_at_clinic ? h('p', { class: 'summary' }, t('day.back_at', { time: hhmm(route.back_at_clinic) })) : null];
}

function outboxPanel() {
  const items = outbox.all();
  if (!items.length) return null;
  const counts = ['queued', 'sending', 'sent', 'refused'].map((s) => [s, items.filter((i) => i.state === s).length]).filter(([, n]) => n);
  return h('section', { class: 'card outbox' },
    h('h3', null, t('out.title'), ' ', counts.map(([s, n]) => h('span', { class: `badge out-${s}`, data: { count: s } }, `${t(`out.${s}`)} ${n}`))),
    h('ul', null, items.slice().reverse().map((i) => h('li', { class: `out-item out-${i.state}`, data: { state: i.state, action: i.action, visit: i.visit_id } },
      h('div', null, h('b', null, t(`act.${i.action}`)), ' ', i.label || '', ' ', h('span', { class: 'at' }, hhmm(i.at)), ' ', h('span', { class: 'state' }, t(`out.${i.state}`))),
      i.problem ? h('div', { class: 'why', data: { code: i.problem.code } }, has(`err.${i.problem.code}`) ? `${t(`err.${i.problem.code}`)}。` : '',
        h('small', null, i.problem.detail || i.problem.code), i.problem.errors.length ? `: ${i.problem.errors.map((f) => `${f.field} ${f.message}`).join('; ')}` : '', ' ',
        h('button', { class: 'btn btn-small dismiss', type: 'button', on: { click: () => outbox.dismiss(i.key) } }, t('out.dismiss'))) : null))));
}

function renderChrome() {
  const top = $('#chrome');
  const panel = $('#outbox');
  if (!top || !panel) { render(); return; }
  clear(top).append(...topbar().filter(Boolean));
  clear(panel);
  const p = outboxPanel();
  if (p) panel.append(p);
  const main = $('#main');
  const visitId = (location.hash.match(/^#visit\/(.+)$/) || [])[1];
  if (!visitId && main) { clear(main).append(dayNav(), ...[dayList()].flat().filter(Boolean)); }
}

function render() {
  if (!S.me) { renderLogin(); return; }
  if (S.me.role !== 'clinician') { start(); return; }
  applyLang();
  const app = clear($('#app'));
  const chrome = h('div', { id: 'chrome' });
  const main = h('main', { id: 'main' });
  const panel = h('div', { id: 'outbox' });
  app.append(chrome, main, panel);
  const visitId = (location.hash.match(/^#visit\/(.+)$/) || [])[1];
  if (visitId && S.day) {
    renderVisit(main, decodeURIComponent(visitId), { day: S.day, toast, back: () => { location.hash = ''; }, refresh: render });
  } else {
    main.append(dayNav(), ...[dayList()].flat().filter(Boolean));
  }
  renderChrome();
}

async function start() {
  if (S.me.role === 'resident') {
    applyLang();
    const main = h('main', { id: 'family' });
    clear($('#app')).append(h('header', { class: 'top' },
      h('div', { class: 'who' }, h('strong', { class: 'user-name' }, S.me.display_name)),
      h('div', { class: 'top-actions' },
        h('button', { class: 'btn btn-small', type: 'button', on: { click: () => { toggleLang(); start(); } } }, t('top.lang')),
        h('button', { class: 'btn btn-small signout', type: 'button', on: { click: signOut } }, t('top.signout')))), main);
    await renderFamily(main, toast);
    return;
  }
  if (S.me.role !== 'clinician') {
    clear($('#app')).append(h('div', { class: 'card' }, h('p', null, t('login.not_clinician')), h('a', { class: 'btn', href: '/' }, t('login.console')),
      h('button', { class: 'btn btn-link', type: 'button', on: { click: signOut } }, t('top.signout'))));
    return;
  }
  outbox.prune(districtToday());
  await loadDay(districtToday());
  outbox.flush();
}

window.addEventListener('hashchange', () => { if (S.me) render(); });
// Back online: first send what waits (in order), then fetch the day as it now is.
window.addEventListener('online', () => { if (S.me) outbox.flush().finally(() => loadDay(S.date)); });
window.addEventListener('offline', () => { if (S.me) { S.offline = true; renderChrome(); } });

applyLang();
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch(() => {});
if (hasSession() && S.me) start().catch(() => renderLogin('login.again'));
else renderLogin();
document.documentElement.dataset.lang = lang;
