// What residents and families said of the clinic (评价与投诉): the ratings of its completed visits
// and the complaints about it, newest first, each with a link to the resident's care page.
import { all } from './api.js';
import { dateOf } from './dates.js';
import { clear, h } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { ensureResidents, residentName } from './names.js';
import { card } from './widgets.js';

export function renderVoice(box) {
  const ratings = h('div', { id: 'vo-ratings' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const complaints = h('div', { id: 'vo-complaints' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  const summary = h('span', { class: 'muted small', id: 'vo-summary' });
  box.append(card(t('vo.ratings'), summary, ratings), card(t('vo.complaints'), null, complaints));
  load(ratings, complaints, summary);
}

const who = (id) => h('a', { href: `#care?resident=${encodeURIComponent(id)}`, text: residentName(id) });
const stars = (n) => h('span', { class: 'vo-stars', title: `${n}/5`, 'aria-label': `${n}/5` }, '★'.repeat(n), h('span', { class: 'vo-stars-off' }, '★'.repeat(5 - n)));
const newest = (a, b) => b.created_at.localeCompare(a.created_at);

async function load(ratings, complaints, summary) {
  try {
    const [fs, cs] = await Promise.all([all('/feedback'), all('/complaints')]);
    fs.sort(newest);
    cs.sort(newest);
    await ensureResidents([...fs, ...cs].map((x) => x.resident_id));
    clear(ratings);
    if (fs.length) {
      const mean = fs.reduce((s, f) => s + f.rating, 0) / fs.length;
      summary.textContent = t('vo.summary', { n: fs.length, mean: mean.toFixed(1), satisfied: fs.filter((f) => f.rating >= 4).length });
      ratings.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table vo-table' },
        h('thead', {}, h('tr', {}, ['vo.resident', 'vo.date', 'vo.rating', 'vo.comment'].map((k) => h('th', { text: t(k) })))),
        h('tbody', {}, fs.map((f) => h('tr', { data: { feedbackId: f.id, rating: String(f.rating) }, class: f.rating <= 2 ? 'vo-low' : null },
          h('td', {}, who(f.resident_id)),
          h('td', { text: dateOf(f.created_at) }),
          h('td', {}, stars(f.rating)),
          h('td', { text: f.comment || '—' })))))));
    } else {
      ratings.append(h('p', { class: 'empty', text: t('vo.noRatings') }));
    }
    clear(complaints);
    if (!cs.length) { complaints.append(h('p', { class: 'empty', text: t('vo.noComplaints') })); return; }
    complaints.append(h('div', { class: 'table-wrap' }, h('table', { class: 'table vo-table' },
      h('thead', {}, h('tr', {}, ['vo.resident', 'vo.date', 'vo.text', 'vo.about'].map((k) => h('th', { text: t(k) })))),
      h('tbody', {}, cs.map((c) => h('tr', { data: { complaintId: c.id } },
        h('td', {}, who(c.resident_id)),
        h('td', { text: dateOf(c.created_at) }),
        h('td', { text: c.text }),
        h('td', { class: 'muted small', text: c.visit_id ? t('vo.aVisit') : t('vo.general') })))))));
  } catch (e) { clear(ratings).append(problemBox(e)); }
}
