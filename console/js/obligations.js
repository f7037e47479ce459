// What a resident is owed (履约计划): their obligations as a timeline coloured by status, each
// open one with a waive action (免除) that takes a reason.
import { all, api, markOwn } from './api.js';
import { todayDate } from './dates.js';
import { clear, h } from './dom.js';
import { ApiError, problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { serviceName } from './names.js';
import { card, formDialog, toast } from './widgets.js';

export const OPEN = ['upcoming', 'due', 'overdue'];
export const REASONS = ['declined', 'hospitalised', 'moved_away', 'deceased', 'other'];
export const oStatusChip = (s) => h('span', { class: ['chip', `os-${s}`], data: { status: s }, text: tOr(`ostatus.${s}`, s) });
// A contract's items are owed under `package:<code>`; the public-health rules under their code; a
// home sickbed's rounds and nursing under its plan.
export function ruleName(o) {
  if (o.source === 'episode') return t('ob.episodeRule');
  const pkg = /^package:(.+)$/.exec(o.rule);
  const name = pkg ? tOr(`pkg.${pkg[1]}`, pkg[1]) : tOr(`rule.${o.rule}`, o.rule);
  return `${name} v${o.rule_version}`;
}

export function obligationsCard(r, changed) {
  const box = h('div', { id: 'ob-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  all(`/obligations?resident_id=${encodeURIComponent(r.id)}`)
    .then((items) => { clear(box).append(timeline(r, items, changed)); })
    .catch((e) => { clear(box).append(problemBox(e)); });
  return card(t('ob.title'), legend(), box);
}

function legend() {
  return h('div', { class: 'legend' }, ['upcoming', 'due', 'overdue', 'met', 'waived'].map((s) => h('span', { class: 'legend-item' },
    h('i', { class: ['legend-swatch', `os-${s}`] }), t(`ostatus.${s}`))));
}

function timeline(r, items, changed) {
  if (!items.length) return h('p', { class: 'empty', text: t('ob.empty') });
  const today = todayDate();
  const sorted = items.slice().sort((a, b) => a.due.localeCompare(b.due) || a.service_type.localeCompare(b.service_type));
  let nowShown = false;
  const rows = [];
  for (const o of sorted) {
    if (!nowShown && o.due >= today) {
      rows.push(h('li', { class: 'ob-now', 'aria-hidden': 'true' }, h('span', { text: `${t('common.today')} ${today}` })));
      nowShown = true;
    }
    rows.push(h('li', { class: ['ob-item', `os-${o.status}`], data: { obligationId: o.id, status: o.status, service: o.service_type } },
      h('span', { class: 'ob-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'ob-body' },
        h('div', { class: 'ob-head' },
          h('strong', { text: serviceName(o.service_type) }), oStatusChip(o.status),
          h('span', { class: 'spacer' }),
          OPEN.includes(o.status) ? h('button', { type: 'button', class: 'btn btn-ghost btn-sm ob-waive', on: { click: () => waive(r, o, changed) } }, t('ob.waive')) : null),
        h('div', { class: 'small' },
          `${t('ob.window')} ${o.earliest} – ${o.latest}`, h('span', { class: 'muted', text: ` · ${t('ob.due')} ${o.due}` })),
        h('div', { class: 'small muted' }, [
          `${t('ob.rule')}：${ruleName(o)}（${tOr(`ob.source.${o.source}`, o.source)}）`,
          o.met_on ? `${t('ob.metOn', { d: o.met_on })}${o.on_time === false ? `（${t('ob.late')}）` : o.on_time ? `（${t('ob.onTime')}）` : ''}` : null,
          o.visit_id && OPEN.includes(o.status) ? t('ob.visit') : null,
        ].filter(Boolean).join(' · ')),
        o.status === 'waived' && o.reason ? h('div', { class: 'small warn-text', text: [t('ob.waivedWhy', { r: tOr(`waive.${o.reason}`, o.reason) }), o.comment].filter(Boolean).join('：') }) : null)));
  }
  if (!nowShown) rows.push(h('li', { class: 'ob-now', 'aria-hidden': 'true' }, h('span', { text: `${t('common.today')} ${today}` })));
  return h('ol', { class: 'ob-timeline' }, rows);
}

export function waive(r, o, changed) {
  formDialog({
    title: t('ob.waiveTitle', { svc: serviceName(o.service_type) }), intro: `${r ? r.name : ''} · ${t('ob.window')} ${o.earliest} – ${o.latest}`,
    submit: t('ob.waive'), danger: true,
    fields: [
      { name: 'reason', label: t('ob.reason'), type: 'select', required: true, options: [['', '—'], ...REASONS.map((x) => [x, t(`waive.${x}`)])] },
      { name: 'comment', label: t('ob.comment'), type: 'textarea', rows: 2 },
    ],
    onSubmit: async ({ reason, comment }) => {
      if (reason === 'other' && !comment) throw new ApiError(422, { code: 'validation_failed', errors: [{ field: 'comment', message: t('ob.commentNeeded') }] });
      markOwn(o.id);
      await api(`/obligations/${o.id}/waive`, { method: 'POST', body: { reason, comment: comment || null } });
      toast(t('ob.waivedToast'), 'ok', `${r ? r.name : ''} · ${serviceName(o.service_type)}`);
      changed();
    },
  });
}
