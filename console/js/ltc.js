// Long-term care on a resident's care page: the disability grade of the latest assessment (its
// three indicators, when made, until when valid) and this month's entitlements (granted, used,
// remaining by service category).
import { api } from './api.js';
import { dateOf, todayDate } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { L, t, tOr } from './i18n.js';
import { badge, card } from './widgets.js';

export function ltcCard(r) {
  const box = h('div', { id: 'ltc-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const month = todayDate().slice(0, 7);
  Promise.all([
    api(`/residents/${encodeURIComponent(r.id)}/assessments`),
    api(`/residents/${encodeURIComponent(r.id)}/entitlements?month=${month}`),
  ]).then(([list, ent]) => { clear(box).append(render(list, ent)); })
    .catch((e) => { clear(box).append(problemBox(e)); });
  return card(t('ltc.title'), null, box);
}

function render(list, ent) {
  const current = list.find((a) => a.status === 'current');
  if (!current) return h('p', { class: 'empty', id: 'ltc-none', text: list.length ? t('ltc.expired') : t('ltc.none') });
  const res = current.result || {};
  const name = L() ? res.grade_name_en : res.grade_name_zh;
  return h('div', { class: 'ltc' },
    h('p', { class: 'ltc-grade', data: { grade: current.grade } },
      h('strong', { text: t('ltc.grade', { g: current.grade }) }), ' ', badge(name || '', current.grade >= 3 ? 'urgent' : 'flag')),
    h('p', { class: 'muted small', text: t('ltc.when', { on: dateOf(current.assessed_at), until: dateOf(current.valid_until) }) }),
    h('ul', { class: 'ltc-indicators' }, (res.indicators || []).map((i) => h('li', null,
      `${L() ? i.name_en : i.name_zh}：${i.total}/${i.max} · ${L() ? i.level_name_en : i.level_name_zh}`))),
    h('h3', { class: 'vt-head', text: t('ltc.month', { m: ent.month }) }),
    ent.lines.length
      ? h('table', { class: 'table ltc-ent' },
        h('thead', null, h('tr', null, ['ltc.category', 'ltc.granted', 'ltc.used', 'ltc.remaining'].map((k) => h('th', { text: t(k) })))),
        h('tbody', null, ent.lines.map((l) => h('tr', { data: { category: l.category } },
          h('td', { text: tOr(`cat.${l.category}`, l.category) }),
          h('td', { text: `${l.granted} ${t(`ltc.unit.${l.unit}`)}` }),
          h('td', { text: String(l.used) }),
          h('td', { class: l.remaining === 0 ? 'ltc-none-left' : null, text: String(l.remaining) })))))
      : h('p', { class: 'empty', text: t('ltc.notCovered') }));
}
