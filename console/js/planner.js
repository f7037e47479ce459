// The planner on the day page (schedulers): plan the day or the week, or repair the day around what
// happened (a clinician absent, an urgent visit). A run goes to the server's optimiser; its proposal
// shows beside the day as it stands, the changes marked, and "apply" books it.
import { api, markOwn } from './api.js';
import { addDays, dateLabel, hm, todayDate } from './dates.js';
import { $, append, clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { residentName, serviceName, staffName } from './names.js';
import { S } from './state.js';
import { timeline } from './timeline.js';
import { badge, card, formDialog, toast } from './widgets.js';

export const canPlan = () => S.me && S.me.role === 'scheduler' && S.me.organization_id;

// The planner's buttons for the day page's toolbar.
export function plannerButtons(refresh) {
  if (!canPlan()) return null;
  const b = (id, label, on) => h('button', { type: 'button', id, class: 'btn btn-secondary btn-sm', on: { click: on } }, label);
  return h('div', { class: 'planner-actions' },
    b('plan-day', t('plan.day'), () => start({ date: S.day.date }, refresh)),
    b('plan-week', t('plan.week'), () => start({ week_of: S.day.date }, refresh)),
    b('repair-absent', t('plan.absent'), () => absentDialog(refresh)),
    b('repair-urgent', t('plan.urgent'), () => urgentDialog(refresh)));
}

// The card the proposal shows in (empty until a run starts).
export function proposalBox() {
  return h('div', { id: 'plan-proposal' });
}

// When a repair happens: now on today, the start of the day otherwise (a day ahead).
function fromOf(date) {
  return date === todayDate() ? null : `${date}T08:00`;
}

function absentDialog(refresh) {
  const date = S.day.date;
  const from = fromOf(date) || `${date}T${hm(new Date().toISOString())}`;
  formDialog({
    title: t('plan.absent'),
    intro: t('plan.absentIntro'),
    fields: [
      { name: 'clinician_id', label: t('plan.clinician'), type: 'select', required: true,
        options: S.clinicians.map((c) => [c.id, c.display_name]) },
      { name: 'from', label: t('plan.from'), type: 'datetime', value: from, required: true },
    ],
    submit: t('plan.run'),
    onSubmit: (v) => start({ mode: 'repair', reason: 'clinician_absent', clinician_id: v.clinician_id,
      from: `${v.from}:00+08:00`, date }, refresh),
  });
}

function urgentDialog(refresh) {
  const date = S.day.date;
  const asked = ((S.day.data && S.day.data.visits) || []).filter((v) => v.status === 'requested')
    .sort((a, b) => (a.priority === 'urgent' ? 0 : 1) - (b.priority === 'urgent' ? 0 : 1));
  if (!asked.length) { toast(t('plan.noUrgent')); return; }
  const from = fromOf(date);
  formDialog({
    title: t('plan.urgent'),
    intro: t('plan.urgentIntro'),
    fields: [{ name: 'visit_id', label: t('plan.visit'), type: 'select', required: true,
      options: asked.map((v) => [v.id, `${v.priority === 'urgent' ? `【${t('vprio.urgent')}】` : ''}${residentName(v.resident_id)} · ${serviceName(v.service_type)} · ${hm(v.window_start)}–${hm(v.window_end)}`]) }],
    submit: t('plan.run'),
    onSubmit: (v) => start({ mode: 'repair', reason: 'urgent_visit', visit_id: v.visit_id, date,
      ...(from ? { from: `${from}:00+08:00` } : {}) }, refresh),
  });
}

// Starts a run and shows its proposal once the search is done.
async function start(body, refresh) {
  const box = $('#plan-proposal');
  if (!box) return;
  clear(box).append(card(t('plan.title'), null, h('p', { class: 'empty loading', id: 'plan-running', text: t('plan.running') })));
  try {
    let run = await api('/planning/runs', { method: 'POST', body: { clinic_id: S.me.organization_id, ...(body.mode ? {} : { time_limit_seconds: body.week_of ? 20 : 5 }), ...body } });
    for (let i = 0; i < 120 && run.status === 'running'; i += 1) {
      await new Promise((r) => { setTimeout(r, 500); });
      run = await api(`/planning/runs/${run.id}`);
    }
    show(box, run, refresh);
  } catch (e) {
    clear(box).append(card(t('plan.title'), null, problemBox(e)));
  }
}

const KIND = { moved: 'flag', reassigned: 'urgent', unplaced: 'exception', added: 'family' };

function show(box, run, refresh) {
  if (run.status !== 'completed') {
    clear(box).append(card(t('plan.title'), null, h('p', { class: 'warn-text', id: 'plan-failed', text: run.error || run.status })));
    return;
  }
  const p = run.proposal;
  const figures = p.repair
    ? t('plan.repairFigures', { stage: p.repair.stage, kept: p.repair.kept, moved: p.repair.moved, reassigned: p.repair.reassigned,
      unplaced: p.repair.unplaced, added: p.repair.added, shifted: p.repair.shifted_over_30_minutes })
    : t('plan.figures', { placed: p.placed, unplaced: p.unplaced.length, travel: p.total_travel_minutes });
  const applyBtn = h('button', { type: 'button', id: 'plan-apply', class: 'btn btn-primary btn-sm', on: { click: () => apply(run, box, refresh) } }, t('plan.apply'));
  const body = [h('p', { id: 'plan-figures', class: 'plan-figures', text: figures })];
  if (p.changes) body.push(changesTable(p.changes));
  if (run.mode === 'week') body.push(weekTable(run));
  else body.push(h('h3', { class: 'sub', text: t('plan.proposed') }), timeline(proposedDay(run), { marked: new Set((p.changes || []).map((c) => c.visit_id)) }));
  if (p.unplaced.length && run.mode !== 'repair') {
    body.push(h('ul', { class: 'list plan-unplaced' }, p.unplaced.map((u) => h('li', { class: 'list-item small warn-text', text: `${visitName(u.visit_id)} · ${u.reason}` }))));
  }
  body.push(h('div', { class: 'detail-actions' }, applyBtn));
  clear(box).append(card(t(run.mode === 'repair' ? 'plan.repairTitle' : 'plan.title'), null, h('div', { id: 'plan-result', data: { runId: run.id, mode: run.mode } }, body)));
}

const byId = () => new Map(((S.day.data && S.day.data.visits) || []).map((v) => [v.id, v]));

function visitName(id) {
  const v = byId().get(id);
  return v ? `${residentName(v.resident_id)} · ${serviceName(v.service_type)}` : `#${id.slice(-6)}`;
}

function changesTable(changes) {
  if (!changes.length) return h('p', { class: 'empty', id: 'plan-no-changes', text: t('plan.noChanges') });
  const place = (p) => (p ? `${staffName(p.clinician_id)} ${hm(p.starts_at)}` : '—');
  return h('table', { class: 'table plan-changes' },
    h('thead', null, h('tr', null, ['plan.visit', 'plan.change', 'plan.before', 'plan.after'].map((k) => h('th', { text: t(k) })))),
    h('tbody', null, changes.map((c) => h('tr', { data: { visitId: c.visit_id, change: c.change } },
      h('td', { text: visitName(c.visit_id) }), h('td', null, badge(t(`plan.c.${c.change}`), KIND[c.change])),
      h('td', { text: place(c.before) }), h('td', { text: place(c.after) })))));
}

// The day as the proposal would make it: every proposed stop as a scheduled visit.
function proposedDay(run) {
  const known = byId();
  const visits = [];
  for (const r of run.proposal.routes) {
    for (const s of r.stops) {
      const v = known.get(s.visit_id) || { id: s.visit_id, resident_id: null, service_type: '' };
      visits.push({ ...v, clinician_id: r.clinician_id, starts_at: s.starts_at, ends_at: s.ends_at,
        travel_minutes_before: s.travel_minutes, status: v.status === 'in_progress' || v.status === 'completed' ? v.status : 'scheduled' });
    }
  }
  return { date: run.date, visits, shifts: (S.day.data && S.day.data.shifts) || [] };
}

// A week plan: per day, each clinician's visits and travel.
function weekTable(run) {
  const days = [...Array(7).keys()].map((i) => addDays(run.week_of, i));
  const cell = (d, c) => run.proposal.routes.filter((r) => r.date === d && r.clinician_id === c.id);
  const used = days.filter((d) => run.proposal.routes.some((r) => r.date === d));
  return h('table', { class: 'table plan-week', id: 'plan-week-table' },
    h('thead', null, h('tr', null, h('th', { text: t('plan.clinician') }), used.map((d) => h('th', { text: dateLabel(d) })))),
    h('tbody', null, S.clinicians.map((c) => h('tr', { data: { clinicianId: c.id } }, h('td', { text: c.display_name }), used.map((d) => {
      const rs = cell(d, c);
      const n = rs.reduce((a, r) => a + r.stops.length, 0);
      return h('td', { data: { date: d }, text: n ? t('plan.weekCell', { n, travel: rs.reduce((a, r) => a + r.travel_minutes, 0) }) : '—' });
    })))));
}

async function apply(run, box, refresh) {
  const btn = $('#plan-apply');
  if (btn) btn.disabled = true;
  try {
    const done = await api(`/planning/runs/${run.id}/apply`, { method: 'POST' });
    const o = done.outcome || {};
    (o.applied || []).forEach(markOwn);
    toast(t('plan.applied', { n: (o.applied || []).length }), 'ok',
      (o.changed || []).length + (o.conflicts || []).length ? t('plan.notApplied', { n: (o.changed || []).length + (o.conflicts || []).length }) : null);
    clear(box);
    refresh();
  } catch (e) {
    if (btn) btn.disabled = false;
    box.append(problemBox(e));
  }
}
