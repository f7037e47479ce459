// A resident's home sickbed (家庭病床) on their care page: the open one with its admission, plan,
// progress and its rounds and nursing week by week, to extend or close (撤床); or, when none is
// open, opening one (建床). Its rounds and nursing also show in the resident's obligations.
import { all, api, markOwn } from './api.js';
import { addDays, todayDate } from './dates.js';
import { append, clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { serviceName, staffName } from './names.js';
import { S } from './state.js';
import { badge, card, formDialog, kv, toast } from './widgets.js';

const RISKS = ['falls', 'pressure_ulcer', 'aspiration', 'infection', 'malnutrition', 'wandering', 'other'];
const OUTCOMES = ['recovered', 'referred_up', 'transferred', 'deceased', 'other'];
const writer = () => S.me && ['admin', 'scheduler', 'clinician'].includes(S.me.role);

export function sickbedCard(r, changed) {
  const box = h('div', { id: 'sickbed-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  (async () => {
    try {
      const list = await all(`/episodes?resident_id=${encodeURIComponent(r.id)}`);
      const open = list.find((e) => e.status === 'open');
      const past = list.filter((e) => e !== open);
      const current = open ? await api(`/episodes/${open.id}`) : null;
      append(clear(box), [current ? openView(r, current, changed) : openButton(r, changed), pastList(past)]);
    } catch (e) { clear(box).append(problemBox(e)); }
  })();
  return card(t('sb.title'), null, box);
}

const count = (care, service, status) => care.filter((o) => o.service_type === service && (!status || o.status === status)).length;

function openView(r, e, changed) {
  const care = e.care || [];
  const items = [[e.plan.round_service_type, e.plan.rounds_per_week], ...e.plan.nursing.map((n) => [n.service_type, n.per_week])]
    .filter(([, n]) => n > 0);
  const a = e.admission;
  return h('div', { class: 'sickbed', id: 'sickbed-open', data: { episodeId: e.id, status: e.status } },
    kv([
      [t('sb.status'), badge(t('sb.open'), 'flag')],
      [t('sb.diagnosis'), [e.diagnosis.code, e.diagnosis.text].filter(Boolean).join(' ')],
      [t('sb.clinician'), staffName(e.responsible_clinician_id)],
      [t('sb.term'), `${e.opened_on} – ${e.until}`],
      [t('sb.adl'), a ? `${a.adl_score} · ${t(`sb.dep.${a.dependency}`)}` : null],
      [t('sb.risks'), a && a.risks.length ? a.risks.map((k) => t(`sb.risk.${k}`)).join('、') : null],
      [t('sb.extended'), e.extensions.length ? e.extensions.map((x) => `${x.to}（${x.reason}）`).join('；') : null],
    ]),
    h('table', { class: 'table sickbed-plan' },
      h('thead', null, h('tr', null, ['sb.service', 'sb.perWeek', 'sb.done', 'sb.dueNow', 'sb.ahead'].map((k) => h('th', { text: t(k) })))),
      h('tbody', null, items.map(([svc, n]) => h('tr', { data: { service: svc } },
        h('td', { text: serviceName(svc) }), h('td', { text: String(n) }),
        h('td', { class: 'sb-met', text: String(count(care, svc, 'met')) }),
        h('td', { class: count(care, svc, 'overdue') ? 'sb-late' : null, text: `${count(care, svc, 'due')}${count(care, svc, 'overdue') ? ` + ${t('sb.overdueN', { n: count(care, svc, 'overdue') })}` : ''}` }),
        h('td', { text: String(count(care, svc, 'upcoming')) }))))),
    writer() ? h('div', { class: 'detail-actions' },
      h('button', { type: 'button', id: 'sb-extend', class: 'btn btn-ghost btn-sm', on: { click: () => extend(r, e, changed) } }, t('sb.extend')),
      h('button', { type: 'button', id: 'sb-close', class: 'btn btn-danger-ghost btn-sm', on: { click: () => close(r, e, changed) } }, t('sb.close'))) : null);
}

function openButton(r, changed) {
  return h('div', null, h('p', { class: 'empty', id: 'sickbed-none', text: t('sb.none') }),
    writer() ? h('div', { class: 'detail-actions' },
      h('button', { type: 'button', id: 'sb-open', class: 'btn btn-primary btn-sm', on: { click: () => openForm(r, changed) } }, t('sb.openNew'))) : null);
}

function openForm(r, changed) {
  const nursing = [...S.services.values()].filter((s) => s.category === 'nursing' || s.category === 'treatment')
    .filter((s) => s.code !== 'home_sickbed_round');
  const doctor = r.family_doctor_id && S.clinicians.some((c) => c.id === r.family_doctor_id) ? r.family_doctor_id : '';
  formDialog({
    title: `${t('sb.openNew')} · ${r.name}`, submit: t('sb.openNew'),
    fields: [
      { name: 'code', label: t('sb.icd') },
      { name: 'text', label: t('sb.diagnosis'), required: true },
      { name: 'clinician', label: t('sb.clinician'), type: 'select', required: true, value: doctor,
        options: [['', t('ct.choose')], ...S.clinicians.map((c) => [c.id, c.display_name])] },
      { name: 'rounds', label: t('sb.rounds'), type: 'number', value: '1', required: true },
      { name: 'nursing', label: t('sb.nursing'), type: 'select', options: [['', t('sb.noNursing')], ...nursing.map((s) => [s.code, serviceName(s.code)])] },
      { name: 'perWeek', label: t('sb.nursingPerWeek'), type: 'number', value: '2' },
      { name: 'until', label: t('sb.until'), type: 'date', value: addDays(todayDate(), 28), required: true },
      { name: 'adl', label: t('sb.adl'), type: 'number' },
      { name: 'risks', label: t('sb.risks'), type: 'checks', options: RISKS.map((k) => [k, t(`sb.risk.${k}`)]) },
    ],
    onSubmit: async (v) => {
      const body = {
        kind: 'home_sickbed', resident_id: r.id, responsible_clinician_id: v.clinician,
        diagnosis: { text: v.text, ...(v.code ? { code: v.code.toUpperCase() } : {}) },
        plan: { rounds_per_week: Number(v.rounds), nursing: v.nursing ? [{ service_type: v.nursing, per_week: Number(v.perWeek || 1) }] : [], until: v.until },
      };
      if (v.adl !== '') body.admission = { adl_score: Number(v.adl), risks: v.risks ? v.risks.split(',') : [] };
      const e = await api('/episodes', { method: 'POST', body });
      markOwn(e.id);
      toast(t('sb.openedToast'), 'ok', t('sb.owed', { n: (e.care || []).length }));
      changed();
    },
  });
}

function extend(r, e, changed) {
  formDialog({
    title: `${t('sb.extend')} · ${r.name}`, submit: t('sb.extend'),
    fields: [
      { name: 'until', label: t('sb.until'), type: 'date', value: addDays(e.until, 28), required: true },
      { name: 'reason', label: t('sb.reason'), type: 'textarea', rows: 2, required: true },
    ],
    onSubmit: async (v) => {
      markOwn(e.id);
      await api(`/episodes/${e.id}/extend`, { method: 'POST', body: v });
      toast(t('sb.extendedToast'), 'ok', v.until);
      changed();
    },
  });
}

function close(r, e, changed) {
  formDialog({
    title: `${t('sb.close')} · ${r.name}`, submit: t('sb.close'), danger: true, intro: t('sb.closeIntro'),
    fields: [
      { name: 'outcome', label: t('sb.outcome'), type: 'select', required: true, options: OUTCOMES.map((o) => [o, t(`sb.out.${o}`)]) },
      { name: 'summary', label: t('sb.summary'), type: 'textarea', rows: 3, required: true },
    ],
    onSubmit: async (v) => {
      markOwn(e.id);
      const closed = await api(`/episodes/${e.id}/close`, { method: 'POST', body: v });
      toast(t('sb.closedToast'), 'ok', t('sb.cancelled', { n: (closed.progress || {}).waived || 0 }));
      changed();
    },
  });
}

function pastList(list) {
  if (!list.length) return null;
  return h('details', { class: 'past-sickbeds' }, h('summary', { class: 'small muted', text: `${t('sb.past')} (${list.length})` }),
    h('ul', { class: 'list' }, list.map((e) => h('li', { class: 'list-item small', data: { episodeId: e.id } },
      h('div', { class: 'list-main' }, `${e.opened_on} – ${e.closed_on || e.until} · ${e.diagnosis.text}`,
        e.summary ? h('span', { class: 'muted', text: e.summary }) : null),
      badge(tOr(`sb.out.${e.outcome}`, e.outcome || ''), 'muted')))));
}
