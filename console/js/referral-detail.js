// One referral in the detail pane: the form, its parties, timing and history, the actions.
// After an action the lists reload too (referrals.js: onReferralChanged).
import { api } from './api.js';
import { dateTime, duration } from './dates.js';
import { $, append, clear, h, keepScroll } from './dom.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { orgName, residentName } from './names.js';
import { actionsFor, refAction, sideOf } from './referral-actions.js';
import { S } from './state.js';
import { badge, kv, objectKv, rPrioBadge, rStatusChip } from './widgets.js';

let changed = () => {};
export function onReferralChanged(fn) { changed = fn; }

function actionDone(r, after) {
  S.ref.detail = after;
  const box = $('#ref-detail');
  if (box && S.ref.selected === r.id) renderRefDetail(clear(box), after);
  changed();
}

export function deadlineText(r) {
  if (!['submitted'].includes(r.status)) return null;
  const left = Date.parse(r.deadline_at) - Date.now();
  return left >= 0 ? t('ref.dueIn', { t: duration(left) }) : t('ref.overdueBy', { t: duration(left) });
}

export async function openReferral(id, quiet = false) {
  const R = S.ref;
  R.selected = id;
  const layout = $('#ref-layout');
  if (layout) layout.classList.add('has-selection');
  for (const b of document.querySelectorAll('.ref-item')) b.classList.toggle('active', b.dataset.id === id);
  const box = $('#ref-detail');
  if (!box) return;
  if (!quiet) clear(box).append(h('p', { class: 'empty loading', text: t('common.loading') }));
  try {
    const r = await api(`/referrals/${id}`);
    if (R.selected !== id || !$('#ref-detail')) return;
    R.detail = r;
    const pane = $('#ref-detail');
    keepScroll(pane, () => renderRefDetail(clear(pane), r));
  } catch (e) { clear(box).append(problemBox(e)); }
}

export function renderRefDetail(box, r) {
  const p = r.patient || {};
  const side = sideOf(r);
  const acts = actionsFor(r);
  const sideNote = { receiver: t('ref.sideReceiver'), sender: t('ref.sideSender'), watcher: t('ref.sideWatcher'), admin: t('common.readOnly') }[side];
  const dl = deadlineText(r);
  const section = (title, body) => (body ? h('section', { class: 'detail-section' }, h('h3', { text: title }), body) : null);
  const diag = r.diagnosis ? [r.diagnosis.text, r.diagnosis.code ? `（${r.diagnosis.code}）` : ''].join('') : null;
  append(box, [
    h('button', { type: 'button', class: 'btn btn-ghost btn-sm back-btn', on: { click: () => { S.ref.selected = null; $('#ref-layout').classList.remove('has-selection'); } } }, `‹ ${t('common.back')}`),
    h('div', { class: 'detail-head' },
      h('div', {},
        h('h2', {}, p.name || residentName(r.resident_id), h('span', { class: 'muted head-sub', text: ` ${[p.sex ? tOr(`sex.${p.sex}`, '') : '', p.age ? t('common.years', { n: p.age }) : ''].filter(Boolean).join(' ')}` })),
        h('div', { class: 'detail-badges' },
          h('span', { class: ['dir', `dir-${r.direction}`], text: r.direction === 'up' ? `↑ ${t('ref.up')}` : `↓ ${t('ref.down')}` }),
          rPrioBadge(r.priority), r.overdue ? badge(t('ref.overdue'), 'overdue') : null, rStatusChip(r.status),
          dl ? h('span', { class: ['small', r.overdue ? 'overdue-text' : 'muted'], text: dl }) : null)),
      h('div', { class: 'detail-side muted small', text: sideNote })),
    h('div', { class: 'detail-actions', id: 'ref-actions' },
      acts.length ? acts.map((a) => h('button', {
        type: 'button', class: ['btn', a === 'reject' || a === 'cancel' ? 'btn-danger-ghost' : (a === acts[0] ? 'btn-primary' : 'btn-secondary')],
        data: { action: a }, on: { click: () => refAction(r, a, (after) => actionDone(r, after)) },
      }, t(`raction.${a}`))) : h('span', { class: 'muted small', text: side === 'admin' ? t('common.readOnly') : t('ref.noActions') })),
    h('div', { class: 'detail-cols' }, section(t('ref.patient'), kv([
      [t('ref.name'), p.name], [t('ref.sex'), p.sex ? tOr(`sex.${p.sex}`, p.sex) : null], [t('ref.age'), p.age],
      [t('ref.phone'), p.phone], [t('ref.address'), p.address], [t('ref.idNumber'), p.id_number],
    ])),
    section(t('ref.people'), kv([
      [t('ref.from'), (r.sender && r.sender.organization_name) || orgName(r.from_organization_id)],
      [t('ref.sendingDoctor'), senderText(r.sender)],
      [t('ref.to'), orgName(r.to_organization_id)],
      [t('ref.department'), r.department],
      [t('ref.receivingDoctor'), r.receiving_doctor],
    ]))),
    section(t('ref.reason'), h('p', { class: 'prose', text: r.reason })),
    section(t('ref.diagnosis'), diag ? h('p', { class: 'prose', text: diag }) : null),
    section(t('ref.summary'), objectKv(r.clinical_summary)),
    section(t('ref.triage'), objectKv(r.triage)),
    section(t('ref.appointment'), objectKv(r.appointment)),
    section(t('ref.returnSheet'), objectKv(r.return_sheet)),
    section(t('ref.followUp'), r.follow_up ? h('div', {}, objectKv(r.follow_up), r.follow_up_plan_id ? h('p', { class: 'small ok-text', text: `✓ ${t('ref.followUpPlan')}` }) : null) : null),
    section(t('ref.timing'), kv([
      [t('ref.created'), dateTime(r.created_at)], [t('ref.deadline'), dateTime(r.deadline_at)],
      [t('ref.responded'), dateTime(r.responded_at)], [t('ref.escalation'), r.escalation_level || null],
    ])),
    section(t('ref.history'), historyList(r.history || []))]);
}

// The form's doctor, and who wrote the form when that was someone else (a care home's staff).
function senderText(sender) {
  if (!sender) return null;
  const doctor = sender.doctor || sender.user_display_name;
  const by = sender.user_display_name && sender.user_display_name !== doctor ? t('ref.filledBy', { name: sender.user_display_name }) : null;
  return [doctor, sender.phone, by].filter(Boolean).join(' · ') || null;
}

function historyList(items) {
  if (!items.length) return null;
  return h('ol', { class: 'history' }, items.map((e) => h('li', { class: 'history-item' },
    h('div', { class: 'history-head' },
      h('strong', { text: tOr(`raction.${e.action.replace('-', '_')}`, e.action) }),
      e.to_status ? rStatusChip(e.to_status) : null,
      h('span', { class: 'muted small', text: dateTime(e.at) })),
    h('div', { class: 'muted small', text: [e.actor_display_name, e.actor_organization_id ? orgName(e.actor_organization_id) : null].filter(Boolean).join(' · ') }),
    e.detail && typeof e.detail === 'object' && Object.keys(e.detail).length ? objectKv(e.detail) : null)));
}
