// The timeline of a day (clinicians as rows, visits as blocks), shared by the day and booking
// screens, with the date navigation and the day's data.
import { all, q } from './api.js';
import { addDays, dateInput, dateLabel, dayStartMs, hm, minuteOf, pad, todayDate } from './dates.js';
import { h } from './dom.js';
import { t, tOr } from './i18n.js';
import { ensureResidents, flagName, resident, residentName, serviceName, skillName, staffName } from './names.js';
import { S } from './state.js';
import { visitDialog } from './visits.js';

const AXIS_START = 8 * 60; // the day view's axis: 08:00 ...
const AXIS_END = 18 * 60; // ... to 18:00, in minutes of the day

export function defaultDate() { return addDays(todayDate(), 1); }

export function dateNav(date, onChange) {
  const input = dateInput({ id: 'day-date', value: date, 'aria-label': t('common.date'), onChange });
  return h('div', { class: 'datenav' },
    h('button', { type: 'button', class: 'btn btn-secondary btn-icon', title: t('common.prevDay'), 'aria-label': t('common.prevDay'), on: { click: () => onChange(addDays(date, -1)) } }, '‹'),
    input,
    h('button', { type: 'button', class: 'btn btn-secondary btn-icon', title: t('common.nextDay'), 'aria-label': t('common.nextDay'), on: { click: () => onChange(addDays(date, 1)) } }, '›'),
    h('span', { class: 'datenav-label', text: dateLabel(date) }),
    h('button', { type: 'button', class: ['btn', 'btn-ghost', 'btn-sm', date === todayDate() && 'is-current'], on: { click: () => onChange(todayDate()) } }, t('common.today')),
    h('button', { type: 'button', class: ['btn', 'btn-ghost', 'btn-sm', date === addDays(todayDate(), 1) && 'is-current'], on: { click: () => onChange(addDays(todayDate(), 1)) } }, t('common.tomorrow')));
}

export async function loadDay(date) {
  const [visits, shifts] = await Promise.all([
    all(`/visits?${q({ date })}`),
    all(`/shifts?${q({ from: date, to: date })}`),
  ]);
  await ensureResidents(visits.map((v) => v.resident_id));
  return { date, visits, shifts };
}

const pct = (min) => `${(Math.min(Math.max(min, AXIS_START), AXIS_END) - AXIS_START) / (AXIS_END - AXIS_START) * 100}%`;
const span = (a, b) => `${(Math.min(Math.max(b, AXIS_START), AXIS_END) - Math.min(Math.max(a, AXIS_START), AXIS_END)) / (AXIS_END - AXIS_START) * 100}%`;

// The timeline of one day: rows of clinicians, visits as blocks placed by time.
export function timeline({ date, visits, shifts }, opts = {}) {
  const hours = [];
  for (let m = AXIS_START; m <= AXIS_END; m += 60) {
    hours.push(h('span', { class: 'tl-hour', css: { left: pct(m) }, text: `${pad(m / 60)}:00` }));
  }
  const live = visits.filter((v) => v.clinician_id && v.starts_at && v.status !== 'cancelled');
  const fresh = S.fresh && Date.now() - S.fresh.at < 5000 ? S.fresh.id : null; // just booked: pulse once
  const rows = [...S.clinicians];
  for (const v of live) {
    if (!rows.some((c) => c.id === v.clinician_id)) rows.push({ id: v.clinician_id, display_name: staffName(v.clinician_id), skills: [] });
  }
  const now = Date.now();
  const nowMin = (now - dayStartMs(date)) / 60000;
  const body = rows.map((c) => {
    const track = h('div', { class: 'tl-track' });
    const own = shifts.filter((s) => s.clinician_id === c.id);
    for (const s of own) {
      const a = minuteOf(s.starts_at, date);
      const b = minuteOf(s.ends_at, date);
      if (b <= AXIS_START || a >= AXIS_END) continue;
      track.append(h('div', { class: 'tl-shift', css: { left: pct(a), width: span(a, b) }, title: `${hm(s.starts_at)}–${hm(s.ends_at)}` }));
      for (const br of s.breaks || []) {
        const x = minuteOf(br.starts_at, date);
        const y = minuteOf(br.ends_at, date);
        track.append(h('div', { class: 'tl-break', css: { left: pct(x), width: span(x, y) }, title: `${t('day.break')} ${hm(br.starts_at)}–${hm(br.ends_at)}` }));
      }
    }
    if (!own.length) track.append(h('div', { class: 'tl-noshift', text: t('day.offShift') }));
    track.append(h('div', { class: 'tl-grid', 'aria-hidden': 'true' }));
    for (const v of live.filter((x) => x.clinician_id === c.id)) {
      const a = minuteOf(v.starts_at, date);
      const b = minuteOf(v.ends_at, date);
      if (v.travel_minutes_before > 0 && a - v.travel_minutes_before < AXIS_END) {
        track.append(h('div', { class: 'tl-travel', css: { left: pct(a - v.travel_minutes_before), width: span(a - v.travel_minutes_before, a) }, title: `${t('day.travel')} ${t('common.minutes', { n: v.travel_minutes_before })}` }));
      }
      const r = resident(v.resident_id);
      const flags = r && r.priority_flags && r.priority_flags.length ? `（${r.priority_flags.map(flagName).join('、')}）` : '';
      const label = `${residentName(v.resident_id)}${flags} · ${serviceName(v.service_type)} · ${hm(v.starts_at)}–${hm(v.ends_at)} · ${tOr(`vstatus.${v.status}`, v.status)}${v.priority === 'urgent' ? ` · ${t('vprio.urgent')}` : ''}`;
      track.append(h('button', {
        type: 'button',
        class: ['tl-block', `vs-${v.status}`, v.priority === 'urgent' && 'is-urgent', v.location_exception && 'is-exception', fresh === v.id && 'is-new',
          opts.marked && opts.marked.has(v.id) && 'is-changed'],
        css: { left: pct(a), width: span(a, b) },
        data: { visitId: v.id, clinicianId: v.clinician_id },
        title: label,
        'aria-label': label,
        on: { click: () => (opts.marked ? null : visitDialog(v)) },
      },
      h('span', { class: 'tl-res', text: residentName(v.resident_id) }),
      h('span', { class: 'tl-svc', text: serviceName(v.service_type) })));
    }
    if (opts.ghost && opts.ghost.clinician_id === c.id) {
      const a = minuteOf(opts.ghost.starts_at, date);
      const b = minuteOf(opts.ghost.ends_at, date);
      track.append(h('div', { class: 'tl-ghost', css: { left: pct(a), width: span(a, b) } }, `${hm(opts.ghost.starts_at)}–${hm(opts.ghost.ends_at)}`));
    }
    if (nowMin > AXIS_START && nowMin < AXIS_END) track.append(h('div', { class: 'tl-now', css: { left: pct(nowMin) } }));
    const count = live.filter((x) => x.clinician_id === c.id).length;
    return h('div', { class: 'tl-row', data: { clinicianId: c.id } },
      h('div', { class: 'tl-name' },
        h('strong', {}, c.display_name, count ? h('span', { class: 'tl-count', title: t('day.summary', { n: count }), text: String(count) }) : null),
        h('small', { text: (c.skills || []).map(skillName).join(' · ') })),
      track);
  });
  if (!rows.length) body.push(h('p', { class: 'empty', text: t('day.noClinicians') }));
  return h('div', { class: 'tl-scroll' }, h('div', { class: 'timeline', data: { date } },
    h('div', { class: 'tl-row tl-head' }, h('div', { class: 'tl-name' }), h('div', { class: 'tl-axis' }, hours)),
    body));
}

export function legend() {
  return h('div', { class: 'legend', 'aria-label': t('day.legend') },
    ['scheduled', 'in_progress', 'completed', 'missed'].map((s) => h('span', { class: 'legend-item' }, h('i', { class: ['legend-swatch', `vs-${s}`] }), t(`vstatus.${s}`))),
    h('span', { class: 'legend-item' }, h('i', { class: 'legend-swatch legend-travel' }), t('day.travelLegend')),
    h('span', { class: 'legend-item' }, h('i', { class: 'legend-swatch legend-urgent' }), t('vprio.urgent')));
}
