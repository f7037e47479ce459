// The day: a timeline per clinician, the pool and the location exceptions.
import { all } from './api.js';
import { dateOf, hm, isWeekend } from './dates.js';
import { $, append, clear, h, keepScroll } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { canBook, ensureResidents, serviceName, staffName } from './names.js';
import { S } from './state.js';
import { dateNav, defaultDate, legend, loadDay, timeline } from './timeline.js';
import { plannerButtons, proposalBox } from './planner.js';
import { cancelVisitDialog, residentLine, scheduleDialog } from './visits.js';
import { badge, card, vStatusChip } from './widgets.js';

export function viewDay(main) {
  if (!S.day.date) S.day.date = defaultDate();
  const setDate = (d) => { S.day.date = d; clear(main); viewDay(main); };
  const tlBox = h('div', { id: 'timeline-box', class: 'tl-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const poolBox = h('div', { id: 'pool' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const excBox = h('div', { id: 'exceptions' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const summary = h('span', { id: 'day-summary', class: 'muted' });
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', { class: 'page-title', text: t('day.title') }),
      dateNav(S.day.date, setDate),
      h('div', { class: 'toolbar-end' },
        summary,
        plannerButtons(refreshDay),
        canBook() ? h('a', { href: '#book', class: 'btn btn-primary', on: { click: () => { S.book.date = S.day.date; } } }, `＋ ${t('day.newVisit')}`) : null)),
    proposalBox(),
    card(t('day.timeline'), legend(), tlBox),
    h('div', { class: 'grid-2' },
      card(t('day.pool'), h('span', { class: 'muted small', text: t('day.poolHint') }), poolBox),
      card(t('day.exceptions'), h('span', { class: 'muted small', text: t('day.exceptionsHint') }), excBox)));
  refreshDay();
}

export async function refreshDay() {
  const date = S.day.date;
  const box = $('#timeline-box');
  if (!box) return;
  try {
    const [data, pool, exceptions] = await Promise.all([
      loadDay(date), all('/visits/pool'), all('/visits?location_exception=true'),
    ]);
    await ensureResidents([...pool, ...exceptions].map((v) => v.resident_id));
    if (S.view !== 'day' || S.day.date !== date || !$('#timeline-box')) return;
    S.day.data = data;
    keepScroll(box, () => append(clear(box), [isWeekend(date) && !data.shifts.length ? h('p', { class: 'notice', text: t('day.weekend') }) : null, timeline(data)]));
    const n = data.visits.filter((v) => v.status !== 'cancelled' && v.clinician_id).length;
    $('#day-summary').textContent = t('day.summary', { n });
    renderPool(clear($('#pool')), pool);
    renderExceptions(clear($('#exceptions')), exceptions);
  } catch (e) {
    clear(box).append(problemBox(e));
  }
}

function renderPool(box, pool) {
  if (!pool.length) { box.append(h('p', { class: 'empty', text: t('day.poolEmpty') })); return; }
  box.append(h('ul', { class: 'list' }, pool.map((v) => h('li', { class: 'list-item pool-item', data: { visitId: v.id } },
    h('div', { class: 'list-main' },
      h('div', {}, v.priority === 'urgent' ? badge(t('vprio.urgent'), 'urgent') : null, residentLine(v.resident_id)),
      h('div', { class: 'muted small' }, `${serviceName(v.service_type)} · ${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}`),
      v.unplaced_reason ? h('div', { class: 'small warn-text', text: v.unplaced_reason }) : null),
    canBook() ? h('div', { class: 'list-actions' },
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: () => scheduleDialog(v) } }, t('day.schedule')),
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => cancelVisitDialog(v) } }, t('common.cancel'))) : null))));
}

function renderExceptions(box, list) {
  if (!list.length) { box.append(h('p', { class: 'empty', text: t('day.exceptionsEmpty') })); return; }
  box.append(h('ul', { class: 'list' }, list.map((v) => h('li', { class: 'list-item', data: { visitId: v.id } },
    h('div', { class: 'list-main' },
      h('div', {}, badge('⚠', 'exception'), ' ', residentLine(v.resident_id)),
      h('div', { class: 'muted small' }, `${dateOf(v.starts_at)} ${hm(v.starts_at)} · ${serviceName(v.service_type)} · ${staffName(v.clinician_id)}`),
      h('div', { class: 'small warn-text' }, [
        v.check_in_distance_m !== null && v.check_in_distance_m !== undefined ? t('day.checkIn', { m: Math.round(v.check_in_distance_m) }) : null,
        v.check_out_distance_m !== null && v.check_out_distance_m !== undefined ? t('day.checkOut', { m: Math.round(v.check_out_distance_m) }) : null,
      ].filter(Boolean).join(' · '))),
    h('div', { class: 'list-actions' }, vStatusChip(v.status))))));
}
