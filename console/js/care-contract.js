// A resident's family-doctor contract (签约): the active one with its packages, doctor and term,
// and terminating it (解约); or, when none is active, the form that signs one.
import { all, api, markOwn } from './api.js';
import { dateInput, normDate, todayDate } from './dates.js';
import { append, clear, h } from './dom.js';
import { ApiError, problemBox } from './errors.js';
import { t } from './i18n.js';
import { serviceName, staffName } from './names.js';
import { S } from './state.js';
import { card, formDialog, kv, toast } from './widgets.js';

let packages = null; // the district's packages, loaded once
async function loadPackages() {
  if (!packages) packages = await api('/service-packages');
  return packages;
}
const packageName = (code) => ((packages || []).find((p) => p.code === code) || {}).name || code;
export const contractChip = (s) => h('span', { class: ['chip', `cs-${s}`], data: { status: s }, text: t(`cstatus.${s}`) });

export function contractCard(r, changed) {
  const box = h('div', { id: 'contract-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const paint = async () => {
    try {
      const [list] = await Promise.all([all(`/contracts?resident_id=${encodeURIComponent(r.id)}`), loadPackages()]);
      const active = list.find((c) => c.status === 'active');
      append(clear(box), [active ? activeView(r, active, changed) : signForm(r, changed), pastList(list.filter((c) => c !== active))]);
    } catch (e) { clear(box).append(problemBox(e)); }
  };
  paint();
  return card(t('ct.title'), null, box);
}

function activeView(r, c, changed) {
  return h('div', { class: 'contract', data: { contractId: c.id, status: c.status } },
    kv([
      [t('ct.status'), contractChip(c.status)],
      [t('ct.packages'), c.package_codes.map(packageName).join('、')],
      [t('ct.doctor'), staffName(c.family_doctor_id)],
      [t('ct.term'), `${c.starts_on} – ${c.ends_on}`],
      [t('ct.price'), t('ct.yuan', { n: c.price_yuan })],
      [t('ct.renewals'), c.renewals || null],
    ]),
    h('div', { class: 'detail-actions' },
      h('button', { type: 'button', id: 'ct-terminate', class: 'btn btn-danger-ghost btn-sm', on: { click: () => terminate(r, c, changed) } }, t('ct.terminate'))));
}

function terminate(r, c, changed) {
  formDialog({
    title: `${t('ct.terminate')} · ${r.name}`, submit: t('ct.terminate'), danger: true,
    fields: [{ name: 'reason', label: t('ct.terminateReason'), type: 'textarea', required: true, rows: 2 }],
    onSubmit: async ({ reason }) => {
      markOwn(c.id);
      await api(`/contracts/${c.id}/terminate`, { method: 'POST', body: { reason } });
      toast(t('ct.terminatedToast'), 'ok', r.name);
      changed();
    },
  });
}

function eligibility(p) {
  const e = p.eligibility || {};
  return [e.min_age ? t('ct.eligible.age', { n: e.min_age }) : null,
    e.conditions_any && e.conditions_any.length ? t('ct.eligible.cond', { c: e.conditions_any.map((x) => t(`cond.${x}`)).join('、') }) : null]
    .filter(Boolean).join(' · ');
}

function signForm(r, changed) {
  const err = h('div', { class: 'dialog-error' });
  const boxes = packages.filter((p) => p.active !== false).map((p) => h('label', { class: 'pkg-option' },
    h('input', { type: 'checkbox', name: 'package', value: p.code, checked: p.code === 'basic' }),
    h('span', { class: 'pkg-text' },
      h('strong', { text: p.name }), ' ', h('span', { class: 'muted small', text: t('ct.yuan', { n: p.price_yuan }) }),
      h('span', { class: 'muted small pkg-items', text: [eligibility(p), ...p.items.map((i) => t('ct.perYear', { svc: serviceName(i.service_type), n: i.per_year }))].filter(Boolean).join('；') }))));
  const doctor = h('select', { id: 'ct-doctor', name: 'family_doctor_id', required: true },
    h('option', { value: '', text: t('ct.choose') }),
    S.clinicians.map((c) => h('option', { value: c.id, text: c.display_name })));
  if (r.family_doctor_id && S.clinicians.some((c) => c.id === r.family_doctor_id)) doctor.value = r.family_doctor_id;
  const starts = dateInput({ id: 'ct-starts', name: 'starts_on', value: todayDate(), required: true });
  const submit = async (e) => {
    e.preventDefault();
    const btn = e.submitter || form.querySelector('button[type=submit]');
    btn.disabled = true;
    clear(err);
    try {
      const codes = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const fields = [];
      if (!codes.length) fields.push({ field: 'package_codes', message: t('ct.pickPackage') });
      if (!doctor.value) fields.push({ field: 'family_doctor_id', message: t('common.required') });
      const on = normDate(starts.input.value);
      if (!on) fields.push({ field: 'starts_on', message: t('fmt.badDate') });
      if (fields.length) throw new ApiError(422, { code: 'validation_failed', errors: fields });
      const c = await api('/contracts', { method: 'POST', body: { resident_id: r.id, package_codes: codes, family_doctor_id: doctor.value, starts_on: on } });
      markOwn(c.id);
      r.family_doctor_id = c.family_doctor_id;
      toast(t('ct.signedToast'), 'ok', `${r.name} · ${c.package_codes.map(packageName).join('、')}`);
      changed();
    } catch (x) {
      err.append(problemBox(x, { package_codes: t('ct.packages'), family_doctor_id: t('ct.doctor'), starts_on: t('ct.startsOn') }));
    } finally { btn.disabled = false; }
  };
  const form = h('form', { id: 'ct-sign', class: 'sign-form', on: { submit } },
    h('p', { class: 'notice', text: t('ct.none') }),
    h('fieldset', { class: 'pkg-list' }, h('legend', { class: 'field-label', text: t('ct.packages') }), boxes),
    h('div', { class: 'form-grid' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('ct.doctor'), h('em', { text: ' *' })), doctor),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('ct.startsOn'), h('em', { text: ' *' })), starts)),
    err,
    h('div', { class: 'detail-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('ct.sign'))));
  form.addEventListener('input', () => clear(err)); // an answer about the fields goes stale on a change
  return form;
}

function pastList(list) {
  if (!list.length) return null;
  return h('details', { class: 'past-contracts' }, h('summary', { class: 'small muted', text: `${t('ct.past')} (${list.length})` }),
    h('ul', { class: 'list' }, list.map((c) => h('li', { class: 'list-item small' },
      h('div', { class: 'list-main' }, `${c.starts_on} – ${c.ends_on} · ${c.package_codes.map(packageName).join('、')}`,
        c.ended_reason ? h('span', { class: 'muted', text: `${t('ct.endedReason')}：${c.ended_reason}` }) : null),
      contractChip(c.status)))));
}
