// One visit on the phone: who, where, what to know, and what to do now (check in, running late,
// help, the record and check-out). Every action goes through the outbox.
import { clear, h } from '/console/js/dom.js';
import { position } from './net.js';
import * as outbox from './queue.js';
import { has, hhmm, t } from './strings.js';

// The plausible ranges the server checks (src/visits/model/bodies.rs, VitalSigns::RANGES).
const VITALS = [
  ['systolic_mmhg', 60, 260, 1],
  ['diastolic_mmhg', 30, 160, 1],
  ['fasting_glucose_mmol_l', 1, 35, 0.1],
  ['heart_rate_bpm', 25, 250, 1],
  ['weight_kg', 20, 250, 0.1],
];

function age(birth) {
  if (!birth) return '';
  const b = new Date(`${birth}T00:00:00Z`);
  const now = new Date();
  let a = now.getUTCFullYear() - b.getUTCFullYear();
  if (now.getUTCMonth() < b.getUTCMonth() || (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate())) a -= 1;
  return t('visit.age', { age: a });
}

export function statusOf(visit) {
  const pending = outbox.pendingStatus(visit.id);
  return { status: pending || visit.status, pending: !!pending };
}

export function statusBadge(visit) {
  const { status, pending } = statusOf(visit);
  return h('span', { class: `badge st-${status}`, data: { status } }, t(`status.${status}`), pending ? t('status.pending') : null);
}

function row(label, ...value) {
  return h('div', { class: 'kv' }, h('span', { class: 'k' }, label), h('span', { class: 'v' }, ...value));
}

// The visit screen. `ctx`: { day, toast, back, refresh }.
export function renderVisit(box, visitId, ctx) {
  const { day } = ctx;
  const visit = day.visits[visitId];
  clear(box);
  if (!visit) {
    box.append(h('button', { class: 'btn btn-link back', on: { click: ctx.back } }, t('visit.back')), h('p', { class: 'empty gone' }, t('visit.gone')));
    return;
  }
  const r = day.residents[visit.resident_id] || {};
  const service = day.services[visit.service_type] || visit.service_type;
  const { status } = statusOf(visit);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(r.address || '');
      ctx.toast(t('visit.copied'));
    } catch (e) {
      const sel = window.getSelection();
      const range = document.createRange();
      range.selectNodeContents(box.querySelector('.address'));
      sel.removeAllRanges();
      sel.addRange(range);
    }
  };
  const flags = (r.priority_flags || []).map((f) => h('span', { class: 'chip flag' }, has(`flag.${f}`) ? t(`flag.${f}`) : f));
  const conditions = (r.conditions || []).map((c) => h('span', { class: 'chip' }, c));
  const actions = h('div', { class: 'actions' });
  box.append(
    h('button', { class: 'btn btn-link back', on: { click: ctx.back } }, t('visit.back')),
    h('section', { class: 'card visit', data: { visit: visit.id } },
      h('h2', null, r.name || visit.resident_id, ' ', h('small', null, [r.sex ? t(`sex.${r.sex}`) : '', age(r.birth_date)].filter(Boolean).join(' · '))),
      h('div', { class: 'service' }, service, ' ', statusBadge(visit)),
      row(t('visit.time'), `${hhmm(visit.starts_at)}–${hhmm(visit.ends_at)}`),
      row(t('visit.address'), h('span', { class: 'address' }, r.address || '—'), ' ', h('button', { class: 'btn btn-small copy', type: 'button', on: { click: copy } }, t('visit.copy'))),
      row(t('visit.phone'), r.phone ? h('a', { href: `tel:${r.phone}` }, r.phone) : '—'),
      row(t('visit.needs'), conditions.length ? conditions : t('visit.none')),
      row(t('visit.flags'), flags.length ? flags : t('visit.none')),
      visit.notes ? row(t('visit.notes'), h('span', { class: 'notes' }, visit.notes)) : null,
      visit.check_in_at || visit.check_out_at
        ? row('', t('visit.done_at', { in: hhmm(visit.check_in_recorded_at || visit.check_in_at) || '—', out: hhmm(visit.check_out_recorded_at || visit.check_out_at) || '—' }))
        : null),
    actions,
  );
  const withPosition = async (button, fn) => {
    button.disabled = true;
    const label = button.textContent;
    button.textContent = t('visit.locating');
    const pos = await position();
    button.disabled = false;
    button.textContent = label;
    if (!pos) { ctx.toast(t('visit.no_position')); return; }
    fn(pos);
  };
  const queued = (item) => {
    ctx.toast(navigator.onLine ? '' : t('visit.queued'));
    return item;
  };
  const label = `${r.name || ''} ${service}`.trim();
  if (status === 'scheduled') {
    const checkIn = h('button', { class: 'btn btn-primary btn-block check-in', type: 'button' }, t('visit.check_in'));
    checkIn.addEventListener('click', () => withPosition(checkIn, (pos) => {
      queued(outbox.add(visit.id, 'check-in', pos, label));
      ctx.refresh();
    }));
    const late = h('div', { class: 'late' }, h('span', null, t('visit.late')), [10, 20, 30].map((m) => h('button', {
      class: 'btn btn-small late-btn', type: 'button', data: { minutes: m },
      on: { click: () => { outbox.add(visit.id, 'running-late', { minutes: m }, label); ctx.toast(t('visit.late_sent', { m })); } },
    }, t('visit.late_minutes', { m }))));
    actions.append(checkIn, late);
  }
  if (status === 'in_progress') {
    actions.append(h('button', { class: 'btn btn-primary btn-block document', type: 'button', on: { click: () => renderForm(box, visit, service, label, ctx) } }, t('visit.check_out')));
  }
  if (status === 'scheduled' || status === 'in_progress') {
    const help = h('button', { class: 'btn btn-danger btn-block help', type: 'button' }, t('visit.help'));
    help.addEventListener('click', () => {
      if (!window.confirm(t('visit.help_confirm'))) return;
      withPosition(help, (pos) => {
        outbox.add(visit.id, 'help', pos, label);
        ctx.toast(navigator.onLine ? t('visit.help_sent') : t('visit.help_offline'));
      });
    });
    actions.append(help);
  }
}

// The record: tasks done or not (with why), vital signs within their ranges, notes; then check-out.
function renderForm(box, visit, service, label, ctx) {
  clear(box);
  const tasks = h('div', { class: 'tasks' });
  const addTask = (name) => {
    const done = h('input', { type: 'checkbox', class: 'task-done', checked: true });
    const reason = h('input', { class: 'task-reason', placeholder: t('doc.reason'), maxlength: 500, hidden: true });
    done.addEventListener('change', () => { reason.hidden = done.checked; });
    const text = h('input', { class: 'task-name', value: name, maxlength: 200, required: true, 'aria-label': t('doc.new_task') });
    tasks.append(h('div', { class: 'task' }, h('label', { class: 'task-line' }, done, ' ', t('doc.done')), text, reason));
  };
  addTask(service);
  const vitals = VITALS.map(([name, low, high, step]) => {
    const input = h('input', { type: 'number', inputmode: 'decimal', min: low, max: high, step, name, id: `v-${name}`, placeholder: `${low}–${high}` });
    return [name, low, high, input];
  });
  const notes = h('textarea', { class: 'notes', maxlength: 4000, rows: 3 });
  const errors = h('div', { class: 'form-errors', role: 'alert' });
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit' }, t('doc.submit'));
  const form = h('form', { class: 'card doc-form', novalidate: true },
    h('h2', null, t('doc.title')),
    h('h3', null, t('doc.tasks')), tasks,
    h('button', { class: 'btn btn-small', type: 'button', on: { click: () => addTask('') } }, t('doc.add_task')),
    h('h3', null, t('doc.vitals')),
    h('div', { class: 'vitals' }, vitals.map(([name, , , input]) => h('label', { class: 'vital', for: input.id }, h('span', null, t(`vital.${name}`)), input))),
    h('h3', null, t('doc.notes')), notes,
    errors,
    submit,
    h('button', { class: 'btn btn-link', type: 'button', on: { click: ctx.refresh } }, t('doc.cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(errors);
    const problems = [];
    const taskList = [...tasks.querySelectorAll('.task')].map((el) => {
      const done = el.querySelector('.task-done').checked;
      const reason = el.querySelector('.task-reason').value.trim();
      if (!done && !reason) problems.push(t('doc.need_reason'));
      return { task: el.querySelector('.task-name').value.trim(), done, ...(done ? {} : { reason }) };
    }).filter((x) => x.task);
    const vs = {};
    for (const [name, low, high, input] of vitals) {
      if (input.value === '') continue;
      const v = Number(input.value);
      if (!(v >= low && v <= high)) problems.push(t('doc.range', { name: t(`vital.${name}`), low, high }));
      vs[name] = v;
    }
    if (vs.systolic_mmhg && vs.diastolic_mmhg && vs.diastolic_mmhg >= vs.systolic_mmhg) problems.push(t('doc.dia_sys'));
    if (problems.length) {
      errors.append(h('ul', null, [...new Set(problems)].map((p) => h('li', null, p))));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('visit.locating');
    const pos = await position();
    submit.disabled = false;
    submit.textContent = t('doc.submit');
    if (!pos) { errors.append(t('visit.no_position')); return; }
    const body = { ...pos, tasks: taskList };
    if (Object.keys(vs).length) body.vital_signs = vs;
    if (notes.value.trim()) body.notes = notes.value.trim();
    outbox.add(visit.id, 'check-out', body, label);
    if (!navigator.onLine) ctx.toast(t('visit.queued'));
    ctx.back(); // done here: back to the route for the next one
  });
  box.append(form);
}
