// Shared widgets: toasts, badges and chips, dialogs and form dialogs, key-value lists, cards.
import { dateInput, dateTime, normDate, normTime, timeInput } from './dates.js';
import { $, append, clear, h } from './dom.js';
import { ApiError, problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { serviceName } from './names.js';

export function toast(text, kind = 'info', sub = null) {
  const box = $('#toasts');
  const el = h('div', { class: ['toast', `toast-${kind}`], role: 'status' },
    h('strong', { text }), sub ? h('span', { class: 'toast-sub', text: sub }) : null);
  box.append(el);
  setTimeout(() => el.classList.add('toast-out'), 4200);
  setTimeout(() => el.remove(), 4700);
}

export function badge(text, cls) { return h('span', { class: ['badge', cls], text }); }
export function vStatusChip(s) { return h('span', { class: ['chip', `vs-${s}`], text: tOr(`vstatus.${s}`, s) }); }
export function rStatusChip(s) { return h('span', { class: ['chip', `rs-${s}`], data: { status: s }, text: tOr(`rstatus.${s}`, s) }); }
export function rPrioBadge(p) { return badge(tOr(`rprio.${p}`, p), `rp-${p}`); }

// A modal dialog. content: node; actions: [{label, cls, onClick(dialog) -> Promise|void}].
export function openDialog({ title, content, actions = [], wide = false }) {
  const err = h('div', { class: 'dialog-error' });
  const dlg = h('dialog', { class: ['dialog', wide && 'dialog-wide'] });
  const close = () => { dlg.close(); dlg.remove(); };
  const buttons = actions.map((a) => h('button', {
    type: 'button', class: ['btn', a.cls || 'btn-secondary'], data: { role: a.role || null },
    on: {
      click: async (ev) => {
        if (!a.onClick) { close(); return; }
        const btn = ev.currentTarget;
        btn.disabled = true;
        clear(err);
        try {
          const r = await a.onClick(dlg);
          if (r !== false) close();
        } catch (e) {
          err.append(problemBox(e, a.fieldLabels || {}));
        } finally { btn.disabled = false; }
      },
    },
  }, a.label));
  append(dlg, [
    h('div', { class: 'dialog-head' }, h('h2', { text: title }),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('common.close'), on: { click: close } }, '×')),
    h('div', { class: 'dialog-body' }, content, err),
    buttons.length ? h('div', { class: 'dialog-actions' }, buttons) : null,
  ]);
  dlg.addEventListener('cancel', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return { dlg, close, err };
}

// A small form inside a dialog. fields: [{name, label, type, required, options, value}].
export function formDialog({ title, intro, fields, submit, onSubmit, danger = false }) {
  const inputs = {};
  const labels = {};
  const rows = fields.map((f) => {
    let input;
    labels[f.name] = f.label;
    if (f.type === 'select') {
      input = h('select', { name: f.name, required: f.required }, f.options.map(([v, l]) => h('option', { value: v, text: l })));
      if (f.value) input.value = f.value;
    } else if (f.type === 'textarea') {
      input = h('textarea', { name: f.name, rows: f.rows || 3, required: f.required, value: f.value || '' });
    } else if (f.type === 'datetime') {
      // Date and 24-hour time side by side; the value reads as YYYY-MM-DDTHH:mm (empty if either is wrong).
      const [d, tm] = (f.value || 'T').split('T');
      const dateW = dateInput({ name: `${f.name}.date`, value: d, required: f.required, 'aria-label': `${f.label} · ${t('common.date')}` });
      const timeW = timeInput({ name: `${f.name}.time`, value: tm.slice(0, 5), required: f.required, 'aria-label': `${f.label} · ${t('visit.time')}` });
      const both = h('span', { class: 'datetime-field' }, dateW, timeW);
      inputs[f.name] = {
        get value() { const a = normDate(dateW.input.value); const b = normTime(timeW.value); return a && b ? `${a}T${b}` : ''; },
        focus: () => (normDate(dateW.input.value) ? timeW : dateW.input).focus(),
      };
      return h('div', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), both);
    } else if (f.type === 'date') {
      const w = dateInput({ name: f.name, value: f.value || '', required: f.required });
      inputs[f.name] = w.input;
      return h('label', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), w);
    } else if (f.type === 'checks') {
      // Checkboxes; the value reads as the checked values joined by commas.
      const boxes = f.options.map(([v, l]) => h('label', { class: 'check-option' },
        h('input', { type: 'checkbox', name: f.name, value: v }), ` ${l}`));
      inputs[f.name] = {
        get value() { return boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value).join(','); },
        focus: () => boxes[0].querySelector('input').focus(),
      };
      return h('fieldset', { class: 'field checks-field' }, h('legend', { class: 'field-label', text: f.label }), boxes);
    } else if (f.type === 'time') {
      input = timeInput({ name: f.name, value: f.value || '', required: f.required });
    } else {
      input = h('input', { name: f.name, type: f.type || 'text', required: f.required, value: f.value || '' });
    }
    inputs[f.name] = input;
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), input);
  });
  const form = h('form', { class: 'form-grid', on: { submit: (e) => e.preventDefault() } }, rows);
  const dlg = openDialog({
    title,
    content: [intro ? h('p', { class: 'dialog-intro', text: intro }) : null, form],
    actions: [
      { label: t('common.cancel') },
      {
        label: submit, cls: danger ? 'btn-danger' : 'btn-primary', role: 'confirm', fieldLabels: labels,
        onClick: async () => {
          const values = {};
          for (const [k, el] of Object.entries(inputs)) values[k] = el.value.trim();
          for (const f of fields) {
            if (f.required && !values[f.name]) {
              inputs[f.name].focus();
              throw new ApiError(422, { code: 'validation_failed', errors: [{ field: f.name, message: t('common.required') }] });
            }
          }
          return onSubmit(values);
        },
      },
    ],
  });
  // An answer about the fields goes stale as soon as the user changes one.
  form.addEventListener('input', () => clear(dlg.err));
  return dlg;
}

export function kv(pairs) {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
  if (!rows.length) return null;
  return h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v instanceof Node ? v : String(v))]));
}
// An object of free-form fields (clinical summary, triage, return sheet), with known labels.
const HIDDEN_KEYS = new Set(['by', 'actor_id', 'user_id', 'version']);
function plainValue(k, v) {
  if (v === null || v === undefined || v === '') return null;
  if (Array.isArray(v)) return v.map((x) => plainValue(k, x)).filter(Boolean).join('、');
  if (typeof v === 'object') {
    if ('text' in v && Object.keys(v).every((x) => ['text', 'code'].includes(x))) return v.code ? `${v.text}（${v.code}）` : v.text;
    return Object.entries(v).filter(([a, x]) => !HIDDEN_KEYS.has(a) && plainValue(a, x) !== null)
      .map(([a, x]) => `${tOr(`cs.${a}`, a)}：${plainValue(a, x)}`).join('；');
  }
  if (k === 'reason_code') return tOr(`reject.${v}`, v);
  if (k === 'decision' || k === 'status') return tOr(`rstatus.${v}`, v);
  if (k === 'service_type') return serviceName(v);
  if ((k === 'at' || /_at$/.test(k)) && typeof v === 'string') return dateTime(v);
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  return String(v);
}
export function objectKv(obj) {
  if (!obj || typeof obj !== 'object') return obj ? h('p', { class: 'prose', text: String(obj) }) : null;
  const pairs = Object.entries(obj)
    .filter(([k]) => !HIDDEN_KEYS.has(k) && !/_id$/.test(k))
    .map(([k, v]) => [tOr(`cs.${k}`, k), plainValue(k, v)]);
  return kv(pairs);
}

export function card(title, extra, ...body) {
  return h('section', { class: 'card' },
    title ? h('header', { class: 'card-head' }, h('h2', { text: title }), extra || null) : null,
    ...body);
}
