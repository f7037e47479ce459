// The unit report: period, chart, table, red and black lists, CSV.
import { api, q } from './api.js';
import { addDays, dateInput, normDate, todayDate } from './dates.js';
import { $, clear, h, soon, svg } from './dom.js';
import { problemBox } from './errors.js';
import { lang, t, tOr } from './i18n.js';
import { S } from './state.js';
import { badge, card, toast } from './widgets.js';

function monthStart(date) { return `${date.slice(0, 8)}01`; }

export function viewReport(main) {
  const R = S.report;
  if (!R.from) { R.from = monthStart(todayDate()); R.to = todayDate(); }
  const fromField = dateInput({ id: 'rep-from', value: R.from, 'aria-label': t('rep.from') });
  const toField = dateInput({ id: 'rep-to', value: R.to, 'aria-label': t('rep.to') });
  const [fromIn, toIn] = [fromField.input, toField.input];
  const set = (a, b) => { fromIn.value = a; toIn.value = b; run(); };
  const run = () => {
    const [a, b] = [normDate(fromIn.value), normDate(toIn.value)];
    fromIn.classList.toggle('is-invalid', !a);
    toIn.classList.toggle('is-invalid', !b);
    if (!a || !b) return;
    [fromIn.value, toIn.value, R.from, R.to] = [a, b, a, b];
    loadReport();
  };
  const csvBtn = h('button', { type: 'button', id: 'rep-csv', class: 'btn btn-secondary', on: { click: downloadCsv } }, t('rep.csv'));
  // The long-term care claim of the period's first month (the authority and the clinics' schedulers).
  const claimMonth = () => S.report.from.slice(0, 7);
  const claimBtn = ['admin', 'scheduler'].includes(S.me.role)
    ? h('button', { type: 'button', id: 'rep-claim', class: 'btn btn-secondary', on: { click: () => download(`/claims?${q({ month: claimMonth(), format: 'csv' })}`, `carelink-ltc-claim-${claimMonth()}.csv`) } }, t('rep.claim', { m: claimMonth() }))
    : null;
  main.append(
    h('div', { class: 'toolbar' },
      h('h1', { class: 'page-title', text: t('rep.title') }),
      h('form', { class: 'period', on: { submit: (e) => { e.preventDefault(); run(); } } },
        h('label', { class: 'inline-field' }, h('span', { text: t('rep.from') }), fromField),
        h('label', { class: 'inline-field' }, h('span', { text: t('rep.to') }), toField),
        h('button', { type: 'submit', class: 'btn btn-primary' }, t('rep.run')),
        h('div', { class: 'presets' },
          h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => set(monthStart(todayDate()), todayDate()) } }, t('rep.thisMonth')),
          h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => { const last = addDays(monthStart(todayDate()), -1); set(monthStart(last), last); } } }, t('rep.lastMonth')),
          h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => set(addDays(todayDate(), -29), todayDate()) } }, t('rep.last30')))),
      h('div', { class: 'toolbar-end' }, claimBtn, csvBtn)),
    h('div', { id: 'rep-body' }, h('p', { class: 'empty loading', text: t('common.loading') })));
  loadReport();
}

// The API's `to` is an instant (a plain date is the start of that day): the period's last day is
// included by asking up to the start of the next one.
const reportQuery = (extra = {}) => q({ from: S.report.from, to: S.report.to, ...extra });

async function loadReport() {
  const box = $('#rep-body');
  if (!box) return;
  clear(box).append(h('p', { class: 'empty loading', text: t('common.loading') }));
  try {
    const data = await api(`/reports/units?${reportQuery()}`);
    if (S.view !== 'report') return;
    S.report.data = data;
    renderReport(clear($('#rep-body')), data);
  } catch (e) { clear(box).append(problemBox(e, { to: t('rep.to'), from: t('rep.from') })); }
}

const downloadCsv = () => download(`/reports/units?${reportQuery({ format: 'csv' })}`, `carelink-units-${S.report.from}-${S.report.to}.csv`);

async function download(path, filename) {
  try {
    const res = await api(path, { raw: true });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: filename, class: 'hidden-link' });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
    toast(t('rep.csvDone'), 'ok');
  } catch (e) {
    const box = $('#rep-body');
    if (box) box.prepend(problemBox(e));
  }
}

function listOf(data, u) {
  if (data.red_list.includes(u.organization_id) || data.red_list.includes(u.code)) return 'red';
  if (data.black_list.includes(u.organization_id) || data.black_list.includes(u.code)) return 'black';
  return null;
}

function renderReport(box, data) {
  const units = data.units.map((u) => ({ ...u, list: listOf(data, u) }));
  const scored = units.filter((u) => u.score !== null && u.score !== undefined)
    .sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || b.score - a.score);
  const reds = units.filter((u) => u.list === 'red');
  const blacks = units.filter((u) => u.list === 'black');
  box.append(
    h('div', { class: 'rep-summary' },
      h('span', { class: 'muted', text: t('rep.period', { from: S.report.from, to: S.report.to }) }),
      h('div', { class: 'lists' },
        h('div', { class: 'list-pill list-red', title: t('rep.redHint') }, h('strong', { text: t('rep.red') }), reds.length ? reds.map((u) => h('span', { text: u.name })) : h('span', { class: 'muted', text: t('common.none') })),
        h('div', { class: 'list-pill list-black', title: t('rep.blackHint') }, h('strong', { text: t('rep.black') }), blacks.length ? blacks.map((u) => h('span', { text: u.name })) : h('span', { class: 'muted', text: t('common.none') })))),
    card(t('rep.chart'), null, scored.length ? h('div', { id: 'rep-chart', class: 'chart-wrap' }) : h('p', { class: 'empty', text: t('rep.noScores') })),
    card(t('rep.table'), h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'rep-all', checked: S.report.showAll, on: { change: (e) => { S.report.showAll = e.target.checked; renderReport(clear($('#rep-body')), data); } } }), t('rep.showAll')),
      reportTable(S.report.showAll ? [...scored, ...units.filter((u) => !scored.includes(u))] : [...scored, ...units.filter((u) => !scored.includes(u) && u.figures && hasActivity(u.figures))])),
    h('details', { class: 'method card' }, h('summary', { text: t('rep.method') }), h('p', { class: 'small muted', text: data.method })));
  S.report.scored = scored;
  drawChart();
}

// Drawn at the width it is shown, so that its text keeps the page's size; again on resize.
function drawChart() {
  const wrap = $('#rep-chart');
  if (!wrap || !S.report.scored) return;
  clear(wrap).append(barChart(S.report.scored, Math.max(320, wrap.clientWidth)));
}
window.addEventListener('resize', () => soon('chart', drawChart, 150));

function hasActivity(f) {
  return (f.visits && (f.visits.planned || f.visits.done || f.visits.missed)) || (f.referrals && (f.referrals.sent || f.referrals.received));
}

// A horizontal bar chart in SVG, built with DOM APIs.
function barChart(units, width) {
  const rowH = 30;
  const top = 26;
  const labelW = Math.min(260, Math.round(width * 0.34));
  const barW = width - labelW - 56;
  const height = top + units.length * rowH + 8;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'bar-chart', role: 'img', 'aria-label': t('rep.chart') });
  for (let v = 0; v <= 100; v += 20) {
    const x = labelW + (barW * v) / 100;
    chart.append(svg('line', { x1: x, x2: x, y1: top - 6, y2: height - 4, class: 'grid-line' }),
      svg('text', { x, y: top - 12, class: 'axis-label', 'text-anchor': 'middle' }, String(v)));
  }
  units.forEach((u, i) => {
    const y = top + i * rowH;
    const w = Math.max(2, (barW * Math.max(0, Math.min(100, u.score))) / 100);
    const fit = Math.max(4, Math.floor((labelW - 40) / 13));
    const name = u.name.length > fit ? `${u.name.slice(0, fit - 1)}…` : u.name;
    const g = svg('g', { class: ['bar-row', u.list ? `bar-${u.list}` : ''].join(' '), 'data-code': u.code },
      svg('title', {}, `${u.rank ? `#${u.rank} ` : ''}${u.name} (${u.code}) ${u.score.toFixed(1)}`),
      svg('text', { x: labelW - 10, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'bar-label' }, `${u.rank ? `${u.rank}. ` : ''}${name}`),
      svg('rect', { x: labelW, y: y + 5, width: barW, height: rowH - 10, rx: 3, class: 'bar-bg' }),
      svg('rect', { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 3, class: 'bar' }),
      svg('text', { x: labelW + w + 6, y: y + rowH / 2 + 5, class: 'bar-value' }, u.score.toFixed(1)));
    if (u.list) g.append(svg('rect', { x: 0, y: y + 7, width: 34, height: rowH - 14, rx: 3, class: `mark-bg-${u.list}` }), svg('text', { x: 17, y: y + rowH / 2 + 4, 'text-anchor': 'middle', class: 'bar-mark' }, lang === 'en' ? (u.list === 'red' ? 'RED' : 'BLK') : t(`rep.${u.list}`)));
    chart.append(g);
  });
  return h('div', { class: 'chart-wrap' }, chart);
}

function reportTable(units) {
  if (!units.length) return h('p', { class: 'empty', text: t('rep.noScores') });
  const num = (x) => (x === null || x === undefined ? '—' : String(x));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'rep-table' },
    h('thead', {},
      h('tr', {},
        h('th', { rowspan: 2, text: t('rep.rank') }), h('th', { rowspan: 2, text: t('rep.unit') }), h('th', { rowspan: 2, text: t('rep.score') }),
        h('th', { colspan: 4, class: 'group', text: t('rep.visits') }), h('th', { colspan: 4, class: 'group', text: t('rep.referrals') }),
        h('th', { rowspan: 2, text: t('rep.list') })),
      h('tr', {}, ['planned', 'doneCol', 'onTime', 'missed', 'sent', 'received', 'inTime', 'overdue'].map((k) => h('th', { class: 'sub', text: t(`rep.${k}`) })))),
    h('tbody', {}, units.map((u) => {
      const f = u.figures || {};
      const v = f.visits || {};
      const r = f.referrals || {};
      return h('tr', { class: [u.list && `row-${u.list}`, (u.score === null || u.score === undefined) && 'row-nodata'], data: { code: u.code } },
        h('td', { class: 'num', text: num(u.rank) }),
        h('td', {}, h('div', { class: 'unit-name', text: u.name }), h('div', { class: 'muted small', text: `${u.code} · ${tOr(`kind.${u.kind}`, u.kind)}` })),
        h('td', { class: 'num score' }, u.score === null || u.score === undefined ? h('span', { class: 'muted', text: t('rep.noData') }) : u.score.toFixed(1)),
        [v.planned, v.done, v.done_on_time, v.missed, r.sent, r.received, r.answered_in_time, r.overdue].map((x) => h('td', { class: 'num', text: num(x) })),
        h('td', {}, u.list ? badge(t(`rep.${u.list}`), `list-${u.list}`) : null));
    }))));
}
