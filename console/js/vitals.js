// A resident's vital signs over their completed visits (the documentation given at check-out),
// drawn as two small SVG charts with the control thresholds: 140/90 mmHg and 7.0 mmol/L fasting.
import { all, q } from './api.js';
import { dateOf } from './dates.js';
import { clear, h, svg } from './dom.js';
import { problemBox } from './errors.js';
import { t } from './i18n.js';
import { card } from './widgets.js';

const W = 420;
const H = 150;
const PAD = { l: 36, r: 10, t: 10, b: 22 };

export function vitalsCard(r) {
  const box = h('div', { id: 'vitals-box' }, h('p', { class: 'empty loading', text: t('common.loading') }));
  all(`/visits?${q({ resident_id: r.id, status: 'completed' })}`)
    .then((visits) => { clear(box).append(render(visits)); })
    .catch((e) => { clear(box).append(problemBox(e)); });
  return card(t('vs.title'), null, box);
}

function readings(visits) {
  return visits
    .map((v) => ({ on: dateOf(v.check_out_at || v.ends_at || v.starts_at), vs: (v.documentation && v.documentation.vital_signs) || null }))
    .filter((x) => x.vs && x.on)
    .sort((a, b) => a.on.localeCompare(b.on));
}

function render(visits) {
  const rs = readings(visits);
  if (!rs.length) return h('p', { class: 'empty', text: t('vs.none') });
  const bp = rs.filter((x) => typeof x.vs.systolic_mmhg === 'number');
  const gl = rs.filter((x) => typeof x.vs.fasting_glucose_mmol_l === 'number');
  return h('div', { class: 'vitals' },
    h('h3', { class: 'vt-head', text: t('vs.bp') }),
    bp.length ? chart(bp, [
      { key: 'systolic_mmhg', cls: 'vt-sys', label: t('vs.systolic') },
      { key: 'diastolic_mmhg', cls: 'vt-dia', label: t('vs.diastolic') },
    ], [140, 90], [50, 200], 'bp') : h('p', { class: 'empty', text: t('vs.noneOf', { what: t('vs.bp') }) }),
    h('h3', { class: 'vt-head', text: t('vs.glucose') }),
    gl.length ? chart(gl, [{ key: 'fasting_glucose_mmol_l', cls: 'vt-glu', label: t('vs.glucose') }], [7.0], [3, 15], 'glucose')
      : h('p', { class: 'empty', text: t('vs.noneOf', { what: t('vs.glucose') }) }),
    h('p', { class: 'muted small', text: `${t('vs.from', { n: rs.length })} · ${t('vs.threshold')} 140/90 mmHg, 7.0 mmol/L` }));
}

// points: [{on, vs}], series: [{key, cls, label}], lines: threshold values, [lo, hi]: the y range
// (widened to hold every reading).
function chart(points, series, lines, [lo0, hi0], name) {
  const vals = points.flatMap((p) => series.map((s) => p.vs[s.key]).filter((v) => typeof v === 'number'));
  const lo = Math.min(lo0, ...vals);
  const hi = Math.max(hi0, ...vals);
  // x spaces the readings by their dates, so a gap of months looks like one.
  const day = (on) => Date.parse(`${on}T00:00:00Z`) / 86400000;
  const d0 = day(points[0].on);
  const span = day(points[points.length - 1].on) - d0;
  const x = (i) => PAD.l + (span === 0 ? (W - PAD.l - PAD.r) / 2 : (day(points[i].on) - d0) * (W - PAD.l - PAD.r) / span);
  const y = (v) => PAD.t + (hi - v) * (H - PAD.t - PAD.b) / (hi - lo);
  const el = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'vt-chart', role: 'img', 'aria-label': series.map((s) => s.label).join(' / '), 'data-chart': name });
  for (const v of lines) {
    el.append(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'vt-threshold' }),
      svg('text', { x: PAD.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'vt-tick vt-tick-th' }, String(v)));
  }
  el.append(svg('line', { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: 'vt-axis' }));
  const first = points[0].on;
  const last = points[points.length - 1].on;
  el.append(svg('text', { x: PAD.l, y: H - 6, class: 'vt-tick' }, first));
  if (last !== first) el.append(svg('text', { x: W - PAD.r, y: H - 6, 'text-anchor': 'end', class: 'vt-tick' }, last));
  for (const s of series) {
    const pts = points.map((p, i) => [i, p.vs[s.key], p.on]).filter(([, v]) => typeof v === 'number');
    if (pts.length > 1) el.append(svg('polyline', { points: pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' '), class: ['vt-line', s.cls].join(' ') }));
    for (const [i, v, on] of pts) {
      const high = lines.some((th) => v >= th && (s.key !== 'diastolic_mmhg' || th === 90) && (s.key !== 'systolic_mmhg' || th === 140));
      el.append(svg('circle', { cx: x(i), cy: y(v), r: 3.5, class: ['vt-dot', s.cls, high ? 'is-high' : ''].join(' ') },
        svg('title', {}, `${on} ${s.label} ${v}`)));
    }
  }
  const key = h('div', { class: 'legend vt-legend' }, series.map((s) => h('span', { class: 'legend-item' }, h('i', { class: ['legend-swatch', s.cls] }), s.label)),
    h('span', { class: 'legend-item' }, h('i', { class: 'legend-swatch vt-threshold-swatch' }), t('vs.threshold')));
  return h('div', { class: 'vt-chart-box' }, el, key);
}
