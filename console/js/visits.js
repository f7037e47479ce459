// One visit: its dialog, cancelling it, (re)scheduling it into a slot; and the list of slots.
// After a change, the screen on show reloads (main.js knows the screens: onVisitChanged).
import { api, markOwn, q } from './api.js';
import { ageOf, dateLabel, dateOf, hm } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { canBook, flagName, resident, residentName, serviceName, staffName } from './names.js';
import { S } from './state.js';
import { badge, formDialog, kv, openDialog, toast, vStatusChip } from './widgets.js';

let refreshCurrent = () => {};
export function onVisitChanged(fn) { refreshCurrent = fn; }

export function residentLine(id) {
  const r = resident(id);
  const flags = r && r.priority_flags ? r.priority_flags : [];
  return h('span', { class: 'res-line' },
    h('strong', { text: residentName(id) }),
    r && r.birth_date ? h('span', { class: 'muted', text: ` ${t(`sex.${r.sex}`) !== `sex.${r.sex}` ? t(`sex.${r.sex}`) : ''} ${t('common.years', { n: ageOf(r.birth_date) })}` }) : null,
    flags.map((f) => badge(flagName(f), 'flag')));
}

export function visitDialog(v) {
  const r = resident(v.resident_id) || {};
  const content = kv([
    [t('visit.resident'), residentLine(v.resident_id)],
    [t('visit.address'), r.address],
    [t('visit.phone'), r.phone],
    [t('visit.service'), serviceName(v.service_type)],
    [t('visit.time'), v.starts_at ? `${dateLabel(dateOf(v.starts_at))} ${hm(v.starts_at)}–${hm(v.ends_at)}` : `${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}`],
    [t('visit.clinician'), v.clinician_id ? staffName(v.clinician_id) : null],
    [t('visit.status'), vStatusChip(v.status)],
    [t('visit.priority'), tOr(`vprio.${v.priority}`, v.priority)],
    [t('visit.travel'), v.travel_minutes_before !== null && v.travel_minutes_before !== undefined ? t('common.minutes', { n: v.travel_minutes_before }) : null],
    [t('visit.notes'), v.notes],
    [t('care.familyDoctor'), r.family_doctor_id ? staffName(r.family_doctor_id) : null],
  ]);
  const link = h('p', { class: 'small' }, h('a', { href: `#care?resident=${encodeURIComponent(v.resident_id)}`, class: 'care-link', on: { click: () => { const d = document.querySelector('dialog[open]'); if (d) { d.close(); d.remove(); } } } }, `${t('care.fromVisit')} ›`));
  const actions = [{ label: t('common.close') }];
  if (canBook() && ['requested', 'scheduled'].includes(v.status)) {
    actions.unshift({ label: t('visit.cancel'), cls: 'btn-danger-ghost', onClick: () => { setTimeout(() => cancelVisitDialog(v), 0); } });
  }
  if (canBook() && v.status === 'scheduled') {
    actions.splice(1, 0, { label: t('visit.reschedule'), cls: 'btn-secondary', role: 'reschedule', onClick: () => { setTimeout(() => scheduleDialog(v, true), 0); } });
  }
  openDialog({ title: t('visit.title'), content: [content, link], actions });
}

export function cancelVisitDialog(v) {
  formDialog({
    title: `${t('visit.cancel')} · ${residentName(v.resident_id)}`,
    fields: [{ name: 'reason', label: t('visit.cancelReason'), type: 'textarea', required: true, rows: 2 }],
    submit: t('visit.cancel'),
    danger: true,
    onSubmit: async ({ reason }) => {
      markOwn(v.id);
      await api(`/visits/${v.id}/cancel`, { method: 'POST', body: { reason } });
      toast(t('visit.cancelled'), 'ok', residentName(v.resident_id));
      refreshCurrent();
    },
  });
}

// A pool visit (or, moving, a scheduled one): its candidate slots in its window, where its own
// time does not count as taken; a click schedules it there.
export function scheduleDialog(v, moving = false) {
  const list = h('div', { class: 'slots' }, h('p', { class: 'empty', text: t('book.finding') }));
  const when = (at, who) => ({ who: staffName(who), time: `${dateOf(at)} ${hm(at)}` });
  const { close, err } = openDialog({
    title: `${t(moving ? 'visit.reschedule' : 'day.schedule')} · ${residentName(v.resident_id)} · ${serviceName(v.service_type)}`,
    content: [
      h('p', { class: 'dialog-intro', text: `${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}` }),
      moving ? h('p', { class: 'muted small', text: t('visit.now', when(v.starts_at, v.clinician_id)) }) : null,
      list],
    actions: [{ label: t('common.close') }],
    wide: true,
  });
  const params = { resident_id: v.resident_id, service_type: v.service_type, from: v.window_start, to: v.window_end, visit_id: moving ? v.id : null };
  api(`/availability?${q(params)}`)
    .then((res) => {
      clear(list).append(slotList(res.items || [], async (s) => {
        clear(err);
        try {
          markOwn(v.id);
          await api(`/visits/${v.id}/${moving ? 'reschedule' : 'schedule'}`, { method: 'POST', body: { clinician_id: s.clinician_id, starts_at: s.starts_at } });
          toast(t(moving ? 'visit.rescheduled' : 'visit.scheduled', when(s.starts_at, s.clinician_id)), 'ok', residentName(v.resident_id));
          S.fresh = { id: v.id, at: Date.now() };
          close();
          refreshCurrent();
        } catch (e) { err.append(problemBox(e)); }
      }));
    })
    .catch((e) => { clear(list).append(problemBox(e)); });
}

export function slotList(slots, onPick, onHover) {
  if (!slots.length) return h('p', { class: 'empty', text: t('book.noSlots') });
  return h('ul', { class: 'slot-list' }, slots.map((s) => {
    const btn = h('button', {
      type: 'button',
      class: ['slot', s.family_doctor && 'is-family', !onPick && 'is-readonly'],
      'aria-disabled': onPick ? null : 'true',
      data: { clinicianId: s.clinician_id, startsAt: s.starts_at },
      on: {
        click: async (e) => {
          const b = e.currentTarget;
          if (b.disabled || !onPick) return;
          b.disabled = true;
          b.classList.add('is-busy');
          try { await onPick(s); } finally { b.disabled = false; b.classList.remove('is-busy'); }
        },
        mouseenter: () => onHover && onHover(s),
        focus: () => onHover && onHover(s),
        mouseleave: () => onHover && onHover(null),
        blur: () => onHover && onHover(null),
      },
    },
    h('span', { class: 'slot-time', text: `${hm(s.starts_at)}–${hm(s.ends_at)}` }),
    h('span', { class: 'slot-who' }, h('strong', { text: staffName(s.clinician_id) }), s.family_doctor ? badge(t('book.familyDoctor'), 'family') : null),
    h('span', { class: 'slot-travel muted', text: t('book.travelBefore', { n: s.travel_minutes_before }) }),
    s.added_travel_minutes !== undefined ? h('span', { class: 'slot-added muted small', text: t('book.addedTravel', { n: s.added_travel_minutes }) }) : null,
    onPick ? h('span', { class: 'slot-go', 'aria-hidden': 'true', text: '›' }) : null);
    return h('li', {}, btn);
  }));
}
