// The clinic's residents, searchable, each with a link to their care page and whether they hold
// an active family-doctor contract.
import { all } from './api.js';
import { ageOf } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { staffName } from './names.js';
import { S } from './state.js';
import { badge, card } from './widgets.js';

let query = '';

export async function renderResidents(box) {
  const list = h('div', { id: 'res-list' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const search = h('input', {
    type: 'search', id: 'res-search', value: query, placeholder: t('care.search'), 'aria-label': t('care.search'),
    on: { input: (e) => { query = e.target.value; paint(); } },
  });
  box.append(card(null, null, h('div', { class: 'res-tools' }, search), list));
  let contracts = new Map();
  const paint = () => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const rows = [...S.residents.values()]
      .filter((r) => words.every((w) => [r.name, r.phone, r.address].some((x) => (x || '').toLowerCase().includes(w))))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    clear(list);
    if (!rows.length) { list.append(h('p', { class: 'empty', text: t('care.noResidents') })); return; }
    list.append(h('ul', { class: 'list' }, rows.map((r) => {
      const c = contracts.get(r.id);
      return h('li', { class: 'list-item res-item', data: { residentId: r.id } },
        h('div', { class: 'list-main' },
          h('div', {}, h('strong', { text: r.name }),
            h('span', { class: 'muted', text: ` ${tOr(`sex.${r.sex}`, '')} ${r.birth_date ? t('common.years', { n: ageOf(r.birth_date) }) : ''}` }),
            (r.conditions || []).map((x) => badge(tOr(`cond.${x}`, x), 'flag'))),
          h('div', { class: 'muted small', text: [r.address, r.family_doctor_id ? `${t('care.familyDoctor')}：${staffName(r.family_doctor_id)}` : null].filter(Boolean).join(' · ') })),
        h('div', { class: 'list-actions' },
          badge(t(c ? 'care.signed' : 'care.unsigned'), c ? 'signed' : 'unsigned'),
          h('a', { href: `#care?resident=${encodeURIComponent(r.id)}`, class: 'btn btn-secondary btn-sm', data: { care: r.id } }, `${t('care.open')} ›`)));
    })));
  };
  try {
    if (!S.residents.size) for (const r of await all('/residents')) S.residents.set(r.id, r);
    contracts = new Map((await all('/contracts?status=active')).map((c) => [c.resident_id, c]));
    paint();
  } catch (e) { clear(list).append(problemBox(e)); }
}
