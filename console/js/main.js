// carelink staff console: a static single-page app, one more client of the public API (/api/v1).
// Plain modern JavaScript in native ES modules, no framework, no build step. This module boots the
// console, draws the shell (the header with the screens of the role) and routes between the
// screens (#day, #book, #care, #referrals, #report); it wires the modules that must not import a screen
// (the session, the language switch, the visit dialogs) to what they do on screen.
import { all, api, q } from './api.js';
import { refreshBookDay, viewBook } from './booking.js';
import { viewCare } from './care.js';
import { refreshDay, viewDay } from './day.js';
import { $, clear, h } from './dom.js';
import { startEvents, stopEvents } from './events.js';
import { applyLang, onLangChange, t, toggleLang } from './i18n.js';
import { renderLogin } from './login.js';
import { roleName, viewsFor } from './names.js';
import { paintPending, refreshPending, refreshReferrals, viewReferrals } from './referrals.js';
import { viewReport } from './report.js';
import { SESSION_KEY, endSession, refreshTokens, scheduleRefresh, setSessionHooks, storedSession } from './session.js';
import { S } from './state.js';
import { onVisitChanged } from './visits.js';
import { card } from './widgets.js';

function renderShell() {
  const app = clear($('#app'));
  const me = S.me;
  const views = viewsFor(me.role);
  const org = S.orgs.get(me.organization_id);
  const nav = h('nav', { class: 'nav', 'aria-label': 'main' }, views.map((v) => h('a', {
    href: `#${v}`, class: ['nav-link', S.view === v && 'active'], data: { view: v },
  }, h('span', { class: 'nav-label', text: t(`nav.${v}`) }), v === 'referrals' ? h('span', { class: 'nav-count', title: t('ref.pending') }) : null)));
  const liveDot = h('span', { id: 'live', class: ['live', S.live ? 'live-on' : 'live-off'], title: t(S.live ? 'live.title.on' : 'live.title.off') },
    h('i'), t(S.live ? 'live.on' : 'live.off'));
  app.append(
    h('header', { class: 'topbar' },
      h('div', { class: 'brand' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✚'),
        h('div', {}, h('div', { class: 'brand-name', text: t('app.title') }),
          h('div', { class: 'brand-org', text: org ? `${org.name}` : t('app.subtitle') }))),
      nav,
      h('div', { class: 'userbox' },
        liveDot,
        h('span', { class: 'user-name' }, me.display_name, h('small', { text: roleName(me.role) })),
        h('button', { id: 'lang-toggle', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: toggleLang } }, t('lang.switch')),
        h('button', { id: 'logout', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: logout } }, t('logout')))),
    h('main', { id: 'main', class: 'main' }));
  if (!views.length) $('#main').append(card(null, null, h('p', { class: 'empty', text: t('login.residentNo') })));
  paintPending();
}

function route(force = false) {
  if (!S.me) return;
  const views = viewsFor(S.me.role);
  let v = (location.hash || '').replace(/^#\/?/, '').split('?')[0];
  if (!views.includes(v)) v = views[0];
  const changed = S.view !== v;
  S.view = v;
  if (changed || force || !$('#main')) renderShell();
  else for (const a of document.querySelectorAll('.nav-link')) a.classList.toggle('active', a.dataset.view === v);
  if (!v) return;
  const main = $('#main');
  // The care screen keeps its place in the hash (#care?resident=ID): a new place redraws it.
  const hash = location.hash || '';
  if (!changed && !force && main.dataset.view === v && (v !== 'care' || main.dataset.hash === hash)) return;
  clear(main);
  main.dataset.view = v;
  main.dataset.hash = hash;
  ({ day: viewDay, book: viewBook, care: viewCare, referrals: viewReferrals, report: viewReport })[v](main);
}

async function logout() {
  try { await api('/auth/logout', { method: 'POST', noRefresh: true }); } catch (e) { /* signed out anyway */ }
  endSession();
}

async function start() {
  clear($('#app')).append(h('p', { class: 'boot', text: t('common.loading') }));
  S.me = await api('/me');
  const [orgs, services] = await Promise.all([all('/organizations'), api('/service-types')]);
  S.orgs = new Map(orgs.map((o) => [o.id, o]));
  S.services = new Map((services.items || []).map((s) => [s.code, s]));
  if (['scheduler', 'clinician'].includes(S.me.role)) {
    const [staff, residents] = await Promise.all([
      all(`/staff?${q({ role: 'clinician', organization_id: S.me.organization_id })}`),
      all('/residents'),
    ]);
    S.staff = new Map(staff.map((s) => [s.id, s]));
    S.clinicians = staff.filter((s) => s.active !== false && s.organization_id === S.me.organization_id)
      .sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN'));
    S.residents = new Map(residents.map((r) => [r.id, r]));
  }
  S.view = null;
  S.pending = 0;
  route(true);
  startEvents();
  refreshPending();
}

// What a change made in a dialog reloads: the screen on show.
function refreshCurrent() {
  if (S.view === 'day') refreshDay();
  else if (S.view === 'book') refreshBookDay();
  else if (S.view === 'referrals') refreshReferrals();
}

onVisitChanged(refreshCurrent);
onLangChange(() => { if (S.me) route(true); else renderLogin(); });
setSessionHooks({
  start,
  ended: (messageKey) => {
    stopEvents();
    S.me = null;
    S.view = null;
    for (const d of document.querySelectorAll('dialog')) d.remove();
    renderLogin(messageKey);
  },
});

window.addEventListener('hashchange', () => route());

async function boot() {
  applyLang();
  sessionStorage.removeItem(SESSION_KEY); // where earlier versions kept it
  S.session = storedSession();
  if (!S.session) { renderLogin(); return; }
  try {
    if (S.session.exp - Date.now() < 30000) await refreshTokens();
    scheduleRefresh();
    await start();
  } catch (e) {
    if (S.session) endSession('login.expired');
  }
}
boot();
