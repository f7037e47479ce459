// Booking: a resident, a service, a window; the candidate slots; a click books one.
import { api, markOwn, q } from './api.js';
import { addDays, ageOf, dateInput, dateLabel, dateOf, hm, isWeekend, normDate, normTime, rfc, timeInput } from './dates.js';
import { $, clear, h, keepScroll } from './dom.js';
import { ApiError, problemBox } from './errors.js';
import { t } from './i18n.js';
import { canBook, flagName, residentName, serviceName, skillName, staffName } from './names.js';
import { S } from './state.js';
import { defaultDate, legend, loadDay, timeline } from './timeline.js';
import { slotList } from './visits.js';
import { card, toast } from './widgets.js';

export function viewBook(main) {
  if (!S.book.date) S.book.date = isWeekend(defaultDate()) ? nextWeekday(defaultDate()) : defaultDate();
  const f = S.book.form || (S.book.form = { resident: '', service: '', from: '08:30', to: '12:00', priority: 'routine', clinician: '' });
  const residents = [...S.residents.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const residentSel = h('select', { id: 'book-resident', name: 'resident_id', required: true },
    h('option', { value: '', text: residents.length ? t('book.pickResident') : t('book.noResidents') }),
    residents.map((r) => h('option', { value: r.id, text: `${r.name}  ${r.birth_date ? t('common.years', { n: ageOf(r.birth_date) }) : ''}${(r.priority_flags || []).length ? `  · ${r.priority_flags.map(flagName).join('、')}` : ''}` })));
  residentSel.value = f.resident;
  const services = [...S.services.values()].sort((a, b) => a.category.localeCompare(b.category) || a.code.localeCompare(b.code));
  const serviceSel = h('select', { id: 'book-service', name: 'service_type', required: true },
    h('option', { value: '', text: t('book.pickService') }),
    services.map((s) => h('option', { value: s.code, text: `${serviceName(s.code)}（${t('common.minutes', { n: s.duration_minutes })}）` })));
  serviceSel.value = f.service;
  const dateField = dateInput({ id: 'book-date', name: 'date', value: S.book.date, required: true, onChange: () => onDate() });
  const dateIn = dateField.input;
  const fromIn = timeInput({ id: 'book-from', name: 'window_start', value: f.from, required: true, 'aria-label': t('book.from') });
  const toIn = timeInput({ id: 'book-to', name: 'window_end', value: f.to, required: true, 'aria-label': t('book.to') });
  const prioSel = h('select', { id: 'book-priority', name: 'priority' },
    ['routine', 'urgent'].map((p) => h('option', { value: p, text: t(`vprio.${p}`) })));
  prioSel.value = f.priority;
  const clinSel = h('select', { id: 'book-clinician', name: 'clinician_id' },
    h('option', { value: '', text: t('book.anyClinician') }),
    S.clinicians.map((c) => h('option', { value: c.id, text: `${c.display_name}（${(c.skills || []).map(skillName).join('、')}）` })));
  clinSel.value = f.clinician;
  const weekendNote = h('p', { class: 'notice small', hidden: !isWeekend(S.book.date), text: t('book.weekendWarn') });
  const errBox = h('div', { id: 'book-error' });
  const slotsBox = h('div', { id: 'slots', class: 'slots' }, h('p', { class: 'empty', text: t('book.slotsIdle') }));
  const dayTitle = h('h2', { id: 'book-day-title', text: t('book.dayOf', { date: dateLabel(S.book.date) }) });
  const dayBox = h('div', { id: 'book-timeline', class: 'tl-box' });
  const fieldEls = { resident_id: residentSel, service_type: serviceSel, window_start: fromIn, window_end: toIn, from: fromIn, to: toIn, clinician_id: clinSel, starts_at: fromIn };

  const readForm = () => {
    Object.assign(f, { resident: residentSel.value, service: serviceSel.value, from: normTime(fromIn.value) || '', to: normTime(toIn.value) || '', priority: prioSel.value, clinician: clinSel.value });
    S.book.date = normDate(dateIn.value) || '';
  };
  const showError = (e) => {
    clear(errBox).append(problemBox(e));
    for (const el of Object.values(fieldEls)) el.classList.remove('is-invalid');
    for (const fe of (e.errors || [])) if (fieldEls[fe.field]) fieldEls[fe.field].classList.add('is-invalid');
  };
  const clearError = () => { clear(errBox); for (const el of Object.values(fieldEls)) el.classList.remove('is-invalid'); };
  const windowBody = () => ({
    resident_id: f.resident, service_type: f.service,
    window_start: rfc(S.book.date, f.from), window_end: rfc(S.book.date, f.to), priority: f.priority,
  });
  const localCheck = () => {
    const errors = [];
    if (!f.resident) errors.push({ field: 'resident_id', message: t('common.required') });
    if (!f.service) errors.push({ field: 'service_type', message: t('common.required') });
    if (!S.book.date || !f.from || !f.to) errors.push({ field: 'window_start', message: t('common.required') });
    if (errors.length) { showError(new ApiError(422, { code: 'validation_failed', errors })); return false; }
    return true;
  };

  let ghost = null;
  const hover = (s) => { ghost = s; drawDay(); };
  const drawDay = () => {
    if (!S.book.day || S.book.day.date !== S.book.date) return;
    keepScroll(dayBox, () => clear(dayBox).append(timeline(S.book.day, { ghost })));
  };
  S.book.draw = drawDay;

  const book = async (s, key) => {
    clearError();
    try {
      const v = await api('/visits', { method: 'POST', key, body: { ...windowBody(), clinician_id: s.clinician_id, starts_at: s.starts_at } });
      markOwn(v.id);
      S.fresh = { id: v.id, at: Date.now() };
      ghost = null;
      const what = t('book.booked', { res: residentName(v.resident_id), svc: serviceName(v.service_type), who: staffName(v.clinician_id), time: `${dateOf(v.starts_at)} ${hm(v.starts_at)}–${hm(v.ends_at)}` });
      toast(what, 'ok');
      S.book.slots = null;
      clear(slotsBox).append(h('div', { class: 'booked', id: 'booked', data: { visitId: v.id } },
        h('strong', { text: `✓ ${what}` }),
        h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: () => find() } }, t('book.findAgain'))));
      await refreshBookDay();
    } catch (e) {
      showError(e);
      const alts = e.body && Array.isArray(e.body.alternatives) ? e.body.alternatives : [];
      if (e.code === 'visit_conflict' && alts.length) {
        errBox.append(h('p', { class: 'small', text: t('book.alternatives') }), slotList(alts, (a) => book(a), hover));
      }
      refreshBookDay();
    }
  };
  const find = async (quiet = false) => {
    readForm();
    if (!quiet) clearError();
    if (!localCheck()) return;
    if (!quiet) clear(slotsBox).append(h('p', { class: 'empty', text: t('book.finding') }));
    try {
      const res = await api(`/availability?${q({ resident_id: f.resident, service_type: f.service, from: rfc(S.book.date, f.from), to: rfc(S.book.date, f.to), clinician_id: f.clinician })}`);
      S.book.slots = res.items || [];
      clear(slotsBox).append(slotList(S.book.slots, canBook() ? (s) => book(s) : null, hover));
    } catch (e) {
      clear(slotsBox);
      showError(e);
    }
  };
  const toPool = async () => {
    readForm();
    clearError();
    if (!localCheck()) return;
    try {
      const v = await api('/visits', { method: 'POST', body: { ...windowBody(), auto_assign: false } });
      markOwn(v.id);
      toast(t('book.toPoolDone'), 'ok', `${residentName(v.resident_id)} · ${serviceName(v.service_type)}`);
    } catch (e) { showError(e); }
  };

  const onDate = () => {
    readForm();
    weekendNote.hidden = !isWeekend(S.book.date);
    dayTitle.textContent = t('book.dayOf', { date: dateLabel(S.book.date) });
    clear(slotsBox).append(h('p', { class: 'empty', text: t('book.slotsIdle') }));
    refreshBookDay();
  };
  for (const el of [residentSel, serviceSel, fromIn, toIn, prioSel, clinSel]) el.addEventListener('change', () => { readForm(); el.classList.remove('is-invalid'); });

  const fld = (label, input, cls) => h('label', { class: ['field', cls] }, h('span', { class: 'field-label', text: label }), input);
  main.append(
    h('div', { class: 'toolbar' }, h('h1', { class: 'page-title', text: t('book.title') })),
    h('div', { class: 'book-grid' },
      card(null, null,
        h('form', { id: 'book-form', class: 'form-grid book-form', on: { submit: (e) => { e.preventDefault(); find(); } } },
          fld(t('book.resident'), residentSel, 'span-2'),
          fld(t('book.service'), serviceSel, 'span-2'),
          fld(t('book.date'), dateField),
          h('div', { class: 'field field-window' }, h('span', { class: 'field-label', text: t('day.window') }),
            h('div', { class: 'window-inputs' }, fromIn, h('span', { class: 'muted', text: '–' }), toIn)),
          fld(t('book.priority'), prioSel),
          fld(t('book.clinician'), clinSel),
          h('div', { class: 'span-2' }, weekendNote, canBook() ? null : h('p', { class: 'notice small', text: t('book.lookOnly') })),
          h('div', { class: 'form-actions span-2' },
            h('button', { id: 'find-slots', type: 'submit', class: 'btn btn-primary' }, t('book.find')),
            canBook() ? h('button', { id: 'to-pool', type: 'button', class: 'btn btn-secondary', on: { click: toPool } }, t('book.toPool')) : null)),
        errBox),
      card(t('book.slots'), h('span', { class: 'muted small', text: canBook() ? t('book.slotsHint') : t('book.slotsHintLook') }), slotsBox)),
    h('section', { class: 'card' }, h('header', { class: 'card-head' }, dayTitle, legend()), dayBox));
  refreshBookDay();
}

function nextWeekday(date) {
  let d = date;
  while (isWeekend(d)) d = addDays(d, 1);
  return d;
}

export async function refreshBookDay() {
  const date = S.book.date;
  const box = $('#book-timeline');
  if (!box) return;
  try {
    const data = await loadDay(date);
    if (S.view !== 'book' || S.book.date !== date) return;
    S.book.day = data;
    if (S.book.draw) S.book.draw();
  } catch (e) { clear(box).append(problemBox(e)); }
}
