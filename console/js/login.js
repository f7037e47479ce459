// The sign-in screen, with the demo logins when the database holds the demo data.
import { $, append, clear, h } from './dom.js';
import { ApiError, problemBox } from './errors.js';
import { t, toggleLang } from './i18n.js';
import { roleName } from './names.js';
import { saveSession, startConsole } from './session.js';
import { API } from './state.js';

export function renderLogin(messageKey) {
  const app = clear($('#app'));
  const err = h('div', { class: 'login-error', role: 'alert' }, messageKey ? t(messageKey) : null);
  const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const form = h('form', {
    class: 'login-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        clear(err);
        btn.disabled = true;
        btn.textContent = t('login.busy');
        try {
          const res = await fetch(`${API}/auth/token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ username: user.value.trim(), password: pass.value }),
          });
          const body = await res.json().catch(() => ({}));
          if (!res.ok) {
            const locked = body.code === 'account_locked' || res.status === 423 || res.status === 429;
            err.append(locked ? t('login.locked') : (res.status === 401 || res.status === 400 || res.status === 422 ? t('login.failed') : problemBox(new ApiError(res.status, body))));
            return;
          }
          saveSession(body);
          await startConsole();
        } catch (ex) {
          err.append(problemBox(ex));
        } finally {
          btn.disabled = false;
          btn.textContent = t('login.submit');
        }
      },
    },
  },
  h('label', { class: 'field' }, h('span', { class: 'field-label', text: t('login.username') }), user),
  h('label', { class: 'field' }, h('span', { class: 'field-label', text: t('login.password') }), pass),
  err, btn);
  const hint = demoHint((username, password) => {
    user.value = username;
    pass.value = password;
    clear(err);
    btn.focus();
  });
  app.append(h('div', { class: 'login-wrap' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✚'),
        h('div', {}, h('h1', { text: t('app.title') }), h('p', { text: t('app.subtitle') }))),
      h('h2', { class: 'login-title', text: t('login.title') }),
      form,
      hint,
      h('div', { class: 'login-foot' },
        h('button', { id: 'lang-toggle', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: toggleLang } }, t('lang.switch'))))));
  user.focus();
}

// The demo logins, when the server says its database holds the demo data (GET /demo answers
// {demo: false} otherwise, and always in production). Clicking one fills the form.
let demoInfo = null;
function demoHint(fill) {
  const box = h('section', { id: 'demo-hint', class: 'demo-hint', hidden: true, 'aria-label': t('demo.title') });
  const paint = (d) => {
    const staff = (d.logins || []).filter((l) => l.role !== 'resident');
    if (!d.demo || !staff.length) return;
    append(box, [
      h('h3', { class: 'demo-title', text: t('demo.title') }),
      h('p', { class: 'demo-intro' }, `${t('demo.intro')} `, h('code', { text: d.password })),
      h('ul', { class: 'demo-logins' }, staff.map((l) => h('li', {},
        h('button', {
          type: 'button', class: 'demo-login', data: { username: l.username },
          title: [l.display_name, l.organization_name].filter(Boolean).join(' · '),
          on: { click: () => fill(l.username, d.password) },
        },
        h('code', { class: 'demo-user', text: l.username }),
        h('span', { class: 'demo-who', text: `${roleName(l.role)} · ${l.organization_code || ''}` }))))),
    ]);
    box.hidden = false;
  };
  if (demoInfo) paint(demoInfo);
  else {
    fetch(`${API}/demo`, { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => { if (d) { demoInfo = d; if (box.isConnected) paint(d); } })
      .catch(() => { /* a hint only */ });
  }
  return box;
}
