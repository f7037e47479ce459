// The clinic's overdue list (逾期未履约): obligations whose latest day has passed unmet (and, on
// request, those due now), each with a link to the resident's care page.
import { all, q } from './api.js';
import { addDays, todayDate } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { ensureResidents, residentName, serviceName } from './names.js';
import { oStatusChip, ruleName } from './obligations.js';
import { card } from './widgets.js';

let withDue = false;

export function renderOverdue(box) {
  const list = h('div', { id: 'od-list' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const cb = h('input', { type: 'checkbox', id: 'od-due', checked: withDue, on: { change: (e) => { withDue = e.target.checked; load(list); } } });
  box.append(card(t('od.title'), h('label', { class: 'check' }, cb, t('od.withDue')), list));
  load(list);
}

async function load(list) {
  try {
    const statuses = withDue ? ['overdue', 'due'] : ['overdue'];
    const items = (await Promise.all(statuses.map((s) => all(`/obligations?${q({ status: s })}`)))).flat()
      .sort((a, b) => a.latest.localeCompare(b.latest));
    await ensureResidents(items.map((o) => o.resident_id));
    clear(list);
    if (!items.length) { list.append(h('p', { class: 'empty', text: t('od.empty') })); return; }
    const today = todayDate();
    const late = (o) => {
      let n = 0;
      for (let d = o.latest; d < today && n < 999; d = addDays(d, 1)) n++;
      return n;
    };
    list.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table od-table' },
      h('thead', {}, h('tr', {}, ['od.resident', 'od.service', 'od.rule', 'od.latest', 'od.status'].map((k) => h('th', { text: t(k) })), h('th', {}))),
      h('tbody', {}, items.map((o) => h('tr', { data: { obligationId: o.id, status: o.status } },
        h('td', {}, h('a', { href: `#care?resident=${encodeURIComponent(o.resident_id)}`, text: residentName(o.resident_id) })),
        h('td', { text: serviceName(o.service_type) }),
        h('td', { class: 'muted small', text: ruleName(o) }),
        h('td', {}, o.latest, o.status === 'overdue' ? h('div', { class: 'overdue-text small', text: t('od.late', { n: late(o) }) }) : null),
        h('td', {}, oStatusChip(o.status)),
        h('td', {}, h('a', { href: `#care?resident=${encodeURIComponent(o.resident_id)}`, class: 'btn btn-secondary btn-sm' }, `${t('care.open')} ›`))))))));
  } catch (e) { clear(list).append(problemBox(e)); }
}
