// The family's side of the phone app (role `resident`): the resident's visits to come and past
// ones with who comes and when, a rating once per completed visit, and complaints to the clinic.
// Read fresh each time (nothing of it is kept on the phone).
import { clear, h } from '/console/js/dom.js';
import { api, Problem } from './net.js';
import { has, hhmm, t } from './strings.js';

const day = (iso) => new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(5, 10);

function when(v) {
  return v.starts_at
    ? `${day(v.starts_at)} ${hhmm(v.starts_at)}–${hhmm(v.ends_at)}`
    : `${day(v.window_start)} ${hhmm(v.window_start)} – ${day(v.window_end)} ${hhmm(v.window_end)}`;
}

function problemText(e) {
  if (e instanceof Problem && has(`err.${e.code}`)) return t(`err.${e.code}`);
  return (e && e.message) || t('err.generic');
}

function stars(n) {
  return h('span', { class: 'stars', 'aria-label': t('fam.rated', { n }) }, '★'.repeat(n), h('span', { class: 'off' }, '★'.repeat(5 - n)));
}

function rateForm(v, done) {
  let rating = 0;
  const buttons = [1, 2, 3, 4, 5].map((n) => h('button', {
    type: 'button', class: 'star', data: { n }, 'aria-label': t('fam.rated', { n }),
    on: { click: () => { rating = n; buttons.forEach((b, i) => b.classList.toggle('on', i < n)); } },
  }, '★'));
  const comment = h('input', { class: 'comment', maxlength: 1000, placeholder: t('fam.comment') });
  const err = h('div', { class: 'form-errors', role: 'alert' });
  const form = h('form', { class: 'rate' }, h('div', { class: 'star-row' }, buttons), comment, err,
    h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, t('fam.send_rating')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    if (!rating) { err.textContent = t('fam.pick_stars'); return; }
    try {
      await api(`/visits/${encodeURIComponent(v.id)}/feedback`, { method: 'POST', body: { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) } });
      done();
    } catch (ex) {
      err.textContent = problemText(ex);
    }
  });
  return form;
}

function visitCard(v, services, reload) {
  return h('li', { class: 'card fam-visit', data: { visit: v.id, status: v.status } },
    h('div', { class: 'stop-head' }, h('strong', null, when(v)), ' ', h('span', { class: `badge st-${v.status}` }, t(`status.${v.status}`))),
    h('div', { class: 'name' }, services[v.service_type] || v.service_type),
    h('div', { class: 'meta' }, v.clinician_name ? t('fam.who', { who: v.clinician_name }) : t('fam.nobody_yet'), ' · ', v.clinic_name),
    v.status === 'completed' ? (v.rating ? stars(v.rating) : rateForm(v, reload)) : null);
}

function complaintForm(visits, reload, toast) {
  const text = h('textarea', { id: 'complaint-text', maxlength: 2000, rows: 3, placeholder: t('fam.complaint_hint') });
  const about = h('select', { id: 'complaint-visit' }, h('option', { value: '' }, t('fam.about_none')),
    visits.map((v) => h('option', { value: v.id }, `${when(v)} ${v.clinician_name || ''}`)));
  const err = h('div', { class: 'form-errors', role: 'alert' });
  const form = h('form', { class: 'card complaint' }, h('h3', null, t('fam.complaint')),
    h('label', { for: 'complaint-visit' }, t('fam.about')), about, text, err,
    h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('fam.send_complaint')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(err);
    if (!text.value.trim()) { err.textContent = t('fam.complaint_empty'); return; }
    try {
      await api('/complaints', { method: 'POST', body: { text: text.value.trim(), ...(about.value ? { visit_id: about.value } : {}) } });
      toast(t('fam.complaint_sent'));
      reload();
    } catch (ex) {
      err.textContent = problemText(ex);
    }
  });
  return form;
}

// The family screen into `box`; `toast` for short messages.
export async function renderFamily(box, toast) {
  const reload = () => renderFamily(box, toast);
  let mine;
  let services = {};
  try {
    const [list, catalogue] = await Promise.all([api('/me/visits'), api('/service-types')]);
    mine = list;
    for (const s of catalogue.items || []) services[s.code] = s.name;
  } catch (e) {
    clear(box).append(h('p', { class: 'empty' }, problemText(e)));
    return;
  }
  clear(box).append(
    h('h2', null, t('fam.upcoming')),
    mine.upcoming.length ? h('ul', { class: 'stops upcoming' }, mine.upcoming.map((v) => visitCard(v, services, reload))) : h('p', { class: 'empty' }, t('fam.none')),
    h('h2', null, t('fam.past')),
    mine.past.length ? h('ul', { class: 'stops past' }, mine.past.map((v) => visitCard(v, services, reload))) : h('p', { class: 'empty' }, t('fam.none')),
    complaintForm(mine.past.concat(mine.upcoming), reload, toast));
}
