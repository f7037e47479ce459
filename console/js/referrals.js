// Referrals: the inbox, outbox and watching box, the filters, a new referral, and the count of
// referrals waiting for this desk on the menu.
import { all, api, markOwn, q } from './api.js';
import { shortDateTime } from './dates.js';
import { $, clear, h, keepScroll } from './dom.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { orgName, residentName, viewsFor } from './names.js';
import { actionsFor } from './referral-actions.js';
import { deadlineText, onReferralChanged, openReferral } from './referral-detail.js';
import { S } from './state.js';
import { badge, formDialog, rPrioBadge, rStatusChip, toast } from './widgets.js';

onReferralChanged(() => refreshReferrals());

export function viewReferrals(main) {
  const R = S.ref;
  if (S.me.role === 'admin') R.box = 'all';
  else if (R.box === 'all') R.box = 'inbox';
  if (R.box === 'watching' && !watchesHomes()) R.box = 'inbox';
  const tabs = S.me.role === 'admin'
    ? [['all', t('ref.all')]]
    : [['inbox', t('ref.inbox')], ['outbox', t('ref.outbox')], watchesHomes() ? ['watching', t('ref.watching')] : null].filter(Boolean);
  const statusSel = h('select', { id: 'ref-status', 'aria-label': t('ref.statusFilter'), on: { change: (e) => { R.status = e.target.value; refreshReferrals(); } } },
    h('option', { value: '', text: t('ref.anyStatus') }),
    ['submitted', 'accepted', 'scheduled', 'arrived', 'completed', 'rejected', 'returned', 'cancelled', 'no_show'].map((s) => h('option', { value: s, text: t(`rstatus.${s}`) })));
  statusSel.value = R.status;
  const overdueCb = h('input', { type: 'checkbox', id: 'ref-overdue', checked: R.overdue, on: { change: (e) => { R.overdue = e.target.checked; refreshReferrals(); } } });
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', { class: 'page-title', text: t('ref.title') }),
      S.me.role === 'admin' ? badge(t('common.readOnly'), 'readonly') : null,
      h('div', { class: 'tabs', role: 'tablist' }, tabs.map(([k, l]) => h('button', {
        type: 'button', role: 'tab', class: ['tab', R.box === k && 'active'], data: { box: k }, 'aria-selected': R.box === k ? 'true' : 'false',
        title: k === 'watching' ? t('ref.watchingHint') : null,
        on: { click: () => { R.box = k; R.selected = null; R.detail = null; clear(main); viewReferrals(main); } },
      }, l, k === 'inbox' ? h('span', { class: 'tab-count', data: { countFor: k }, title: t('ref.pending'), text: S.pending ? String(S.pending) : '' }) : null))),
      h('div', { class: 'toolbar-end' },
        referralDirection() ? h('button', { type: 'button', id: 'ref-new', class: 'btn btn-primary btn-sm', on: { click: () => newReferral(main) } }, `＋ ${t('ref.new')}`) : null,
        statusSel, h('label', { class: 'check' }, overdueCb, t('ref.overdueOnly')))),
    h('div', { class: ['ref-layout', R.selected && 'has-selection'], id: 'ref-layout' },
      h('div', { class: 'card ref-list-card' }, h('div', { id: 'ref-list', class: 'ref-list' }, h('p', { class: 'empty loading', text: t('common.loading') }))),
      h('div', { class: 'card ref-detail-card' }, h('div', { id: 'ref-detail', class: 'ref-detail' }, h('p', { class: 'empty', text: t('ref.pick') })))));
  refreshReferrals();
}

// A clinic follows the referrals of the care homes signed with it (the API's watching box).
function watchesHomes() {
  if (!['scheduler', 'clinician'].includes(S.me.role)) return false;
  return [...S.orgs.values()].some((o) => o.kind === 'care_home' && o.contracted_clinic_id === S.me.organization_id);
}

// Which way this user's organisation refers: clinics and care homes up to a hospital, hospitals
// down to a clinic or care home (the authority only watches).
function referralDirection() {
  const kind = (S.orgs.get(S.me.organization_id) || {}).kind;
  if (S.me.role === 'hospital' && kind === 'hospital') return 'down';
  if (['scheduler', 'clinician', 'care_home'].includes(S.me.role) && ['clinic', 'care_home'].includes(kind)) return 'up';
  return null;
}

async function newReferral(main) {
  const direction = referralDirection();
  if (!direction) return;
  let residents = [...S.residents.values()];
  try {
    if (!residents.length) {
      residents = await all('/residents');
      for (const r of residents) S.residents.set(r.id, r);
    }
  } catch (e) { toast(t('err.generic'), 'error', e.message); return; }
  if (!residents.length) { toast(t('ref.noResidents'), 'error'); return; }
  const byName = (a, b) => a.name.localeCompare(b.name, 'zh-CN');
  const targets = [...S.orgs.values()]
    .filter((o) => o.active !== false && (direction === 'up' ? o.kind === 'hospital' : ['clinic', 'care_home'].includes(o.kind)))
    .sort(byName);
  const choose = (options) => [['', t('rf.choose')], ...options];
  const opt = (x) => x || null;
  const summary = direction === 'up'
    ? [['past_history', true], ['treatment_so_far', true], ['allergies', false]]
    : [['treatment_given', true], ['rehabilitation_advice', true], ['medications', false]];
  formDialog({
    title: t(direction === 'up' ? 'ref.newUp' : 'ref.newDown'),
    submit: t('ref.new'),
    fields: [
      { name: 'resident_id', label: t('rf.resident'), type: 'select', required: true,
        options: choose(residents.slice().sort(byName).map((r) => [r.id, [r.name, r.age ? t('common.years', { n: r.age }) : ''].filter(Boolean).join(' · ')])) },
      { name: 'to_organization_id', label: t('rf.to'), type: 'select', required: true, options: choose(targets.map((o) => [o.id, o.name])) },
      { name: 'department', label: t('rf.department') },
      { name: 'priority', label: t('rf.priority'), type: 'select', value: 'routine',
        options: ['routine', 'urgent', 'green_channel'].map((p) => [p, t(`rprio.${p}`)]) },
      { name: 'reason', label: t('rf.referralReason'), type: 'textarea', required: true, rows: 2 },
      { name: 'diagnosis.text', label: t('rf.diagnosis_text'), required: true },
      { name: 'diagnosis.code', label: t('rf.diagnosis_code') },
      ...summary.map(([k, required]) => ({ name: `clinical_summary.${k}`, label: t(`cs.${k}`), type: 'textarea', rows: 2, required })),
      { name: 'sending_doctor.name', label: t('rf.sendingDoctor') },
      { name: 'sending_doctor.phone', label: t('rf.sendingPhone'), type: 'tel' },
    ],
    onSubmit: async (v) => {
      const created = await api('/referrals', {
        method: 'POST',
        body: {
          resident_id: v.resident_id, direction, to_organization_id: v.to_organization_id,
          department: opt(v.department), priority: v.priority, reason: v.reason,
          diagnosis: { text: v['diagnosis.text'], code: opt(v['diagnosis.code']) },
          clinical_summary: Object.fromEntries(summary.map(([k]) => [k, v[`clinical_summary.${k}`]]).filter(([, x]) => x)),
          sending_doctor: v['sending_doctor.name'] ? { name: v['sending_doctor.name'], phone: opt(v['sending_doctor.phone']) } : null,
        },
      });
      markOwn(created.id);
      toast(t('ref.sent'), 'ok', residentName(created.resident_id));
      Object.assign(S.ref, { box: 'outbox', status: '', overdue: false, selected: created.id, detail: null });
      if (S.view === 'referrals') { clear(main); viewReferrals(main); }
    },
  });
}

export async function refreshReferrals(changedId) {
  const R = S.ref;
  const box = $('#ref-list');
  if (!box) return;
  try {
    const params = { box: R.box === 'all' ? null : R.box, status: R.status, overdue: R.overdue ? 'true' : null };
    const items = await all(`/referrals?${q(params)}`);
    if (S.view !== 'referrals' || !$('#ref-list')) return;
    R.items = items;
    keepScroll(box, () => renderRefList(clear(box), items));
    if (R.box === 'inbox' && !R.status && !R.overdue) {
      S.pending = items.filter((r) => actionsFor(r).some((a) => a !== 'no_show')).length;
      paintPending();
    } else refreshPending();
    if (R.selected && (!changedId || changedId === R.selected)) await openReferral(R.selected, true);
  } catch (e) { clear(box).append(problemBox(e)); }
}

function renderRefList(box, items) {
  const watching = S.ref.box === 'watching';
  if (watching) box.append(h('p', { class: 'list-hint small muted', text: t('ref.watchingHint') }));
  if (!items.length) { box.append(h('p', { class: 'empty', text: t(watching ? 'ref.watchingEmpty' : 'ref.empty') })); return; }
  box.append(h('ul', { class: 'list' }, items.map((r) => {
    const p = r.patient || {};
    const dl = deadlineText(r);
    return h('li', {},
      h('button', {
        type: 'button',
        class: ['ref-item', S.ref.selected === r.id && 'active', r.overdue && 'is-overdue', `rp-row-${r.priority}`],
        data: { id: r.id, status: r.status },
        on: { click: () => openReferral(r.id) },
      },
      h('div', { class: 'ref-item-top' },
        rPrioBadge(r.priority),
        r.overdue ? badge(t('ref.overdue'), 'overdue') : null,
        h('strong', { class: 'ref-patient', text: p.name || residentName(r.resident_id) }),
        h('span', { class: 'muted small', text: [p.sex ? tOr(`sex.${p.sex}`, '') : '', p.age ? t('common.years', { n: p.age }) : ''].filter(Boolean).join(' ') }),
        h('span', { class: 'spacer' }),
        rStatusChip(r.status)),
      h('div', { class: 'ref-item-route small' },
        h('span', { class: ['dir', `dir-${r.direction}`], text: r.direction === 'up' ? `↑ ${t('ref.up')}` : `↓ ${t('ref.down')}` }),
        ` ${orgName(r.from_organization_id)} → ${orgName(r.to_organization_id)}${r.department ? ` · ${r.department}` : ''}`),
      h('div', { class: 'ref-item-reason small', text: r.reason }),
      h('div', { class: 'ref-item-meta small muted' },
        h('span', { text: shortDateTime(r.created_at) }),
        dl ? h('span', { class: r.overdue ? 'overdue-text' : '', text: dl }) : null)));
  })));
}

// Referrals waiting for this desk (received, with an action open to it): a count on the menu.
export async function refreshPending() {
  if (!S.me || S.me.role === 'admin' || !viewsFor(S.me.role).includes('referrals')) return;
  try {
    const items = await all('/referrals?box=inbox');
    S.pending = items.filter((r) => actionsFor(r).some((a) => a !== 'no_show')).length;
    paintPending();
  } catch (e) { /* the count is a hint only */ }
}
export function paintPending() {
  const text = S.pending ? String(S.pending) : '';
  for (const el of document.querySelectorAll('.nav-count, [data-count-for="inbox"]')) el.textContent = text;
}
