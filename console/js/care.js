// Care programmes (签约履约): the screen's tabs (residents, overdue, draft referrals, what families
// said) and one resident's care page (#care?resident=ID): the contract, what is owed, the vital signs.
import { api } from './api.js';
import { ageOf } from './dates.js';
import { clear, h } from './dom.js';
import { contractCard } from './care-contract.js';
import { renderDrafts } from './drafts.js';
import { problemBox } from './errors.js';
import { t, tOr } from './i18n.js';
import { staffName } from './names.js';
import { ltcCard } from './ltc.js';
import { sickbedCard } from './sickbed.js';
import { obligationsCard } from './obligations.js';
import { renderOverdue } from './overdue.js';
import { renderResidents } from './residents.js';
import { renderVoice } from './voice.js';
import { S } from './state.js';
import { badge, card } from './widgets.js';
import { vitalsCard } from './vitals.js';

const TABS = ['residents', 'overdue', 'drafts', 'voice'];

function params() {
  const hash = location.hash || '';
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}

export function viewCare(main) {
  const p = params();
  if (p.get('resident')) { residentPage(main, p.get('resident')); return; }
  const tab = TABS.includes(p.get('tab')) ? p.get('tab') : 'residents';
  const body = h('div', { id: 'care-body', data: { tab } });
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', { class: 'page-title', text: t('care.title') }),
      h('div', { class: 'tabs', role: 'tablist' }, TABS.map((k) => h('a', {
        href: k === 'residents' ? '#care' : `#care?tab=${k}`, role: 'tab', class: ['tab', tab === k && 'active'],
        data: { tab: k }, 'aria-selected': tab === k ? 'true' : 'false',
      }, t(`care.tab.${k}`))))),
    body);
  ({ residents: renderResidents, overdue: renderOverdue, drafts: renderDrafts, voice: renderVoice })[tab](body);
}

async function residentPage(main, id) {
  const back = h('a', { href: '#care', class: 'btn btn-ghost btn-sm', id: 'care-back' }, `‹ ${t('care.back')}`);
  const head = h('div', { class: 'toolbar' }, back, h('h1', { class: 'page-title', text: t('common.loading') }));
  main.append(head);
  let r;
  try {
    r = S.residents.get(id) || await api(`/residents/${encodeURIComponent(id)}`);
    S.residents.set(r.id, r);
  } catch (e) { main.append(card(null, null, problemBox(e))); return; }
  head.lastChild.textContent = t('care.page', { name: r.name });
  const reload = () => { if (main.dataset.view === 'care') { clear(main); residentPage(main, id); } };
  main.append(
    h('section', { class: 'card care-head', id: 'care-resident', data: { residentId: r.id } },
      h('div', { class: 'care-who' },
        h('strong', { class: 'care-name', text: r.name }),
        h('span', { class: 'muted', text: [tOr(`sex.${r.sex}`, ''), r.birth_date ? t('common.years', { n: ageOf(r.birth_date) }) : ''].filter(Boolean).join(' ') }),
        (r.conditions || []).map((c) => badge(tOr(`cond.${c}`, c), 'flag'))),
      h('div', { class: 'muted small' }, [r.address, r.phone, r.family_doctor_id ? `${t('care.familyDoctor')}：${staffName(r.family_doctor_id)}` : null].filter(Boolean).join(' · '))),
    h('div', { class: 'care-grid' },
      h('div', { class: 'care-col' }, contractCard(r, reload), sickbedCard(r, reload), vitalsCard(r), ltcCard(r)),
      obligationsCard(r, reload)));
}
