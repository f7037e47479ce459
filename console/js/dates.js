// Time: everything is shown in the district's time zone, whatever the browser's.
import { clear, h, svg } from './dom.js';
import { DICT, L, lang, t } from './i18n.js';

const TZ_OFFSET = '+08:00'; // the district's time zone, Asia/Shanghai (no daylight saving)
const TZ_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export const pad = (n) => String(n).padStart(2, '0');
const shanghai = (ms) => new Date(ms + TZ_MS).toISOString(); // "YYYY-MM-DDTHH:MM..." in +08:00
export const todayDate = () => shanghai(Date.now()).slice(0, 10);
export const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const weekdayOf = (date) => new Date(`${date}T00:00:00Z`).getUTCDay();
export const isWeekend = (date) => [0, 6].includes(weekdayOf(date));
export const dayStartMs = (date) => Date.parse(`${date}T00:00:00${TZ_OFFSET}`);
export const rfc = (date, time) => `${date}T${time.length === 5 ? `${time}:00` : time}${TZ_OFFSET}`;
export const hm = (iso) => (iso ? shanghai(Date.parse(iso)).slice(11, 16) : '');
export const dateOf = (iso) => (iso ? shanghai(Date.parse(iso)).slice(0, 10) : '');
export const minuteOf = (iso, date) => (Date.parse(iso) - dayStartMs(date)) / 60000;
export function dateLabel(date) {
  const wd = DICT.weekday[L()][weekdayOf(date)];
  return lang === 'en' ? `${wd} ${date}` : `${date}（${wd}）`;
}
export function dateTime(iso) {
  if (!iso) return '';
  const s = shanghai(Date.parse(iso));
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}
export function shortDateTime(iso) {
  if (!iso) return '';
  const s = shanghai(Date.parse(iso));
  return s.slice(0, 10) === todayDate() ? s.slice(11, 16) : `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}
export function duration(ms) {
  const m = Math.max(1, Math.round(Math.abs(ms) / 60000));
  if (m < 60) return lang === 'en' ? `${m} min` : `${m} 分钟`;
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return lang === 'en' ? `${hrs} h ${m % 60} min` : `${hrs} 小时${m % 60 ? ` ${m % 60} 分` : ''}`;
  return lang === 'en' ? `${Math.floor(hrs / 24)} days` : `${Math.floor(hrs / 24)} 天`;
}
export function ageOf(birth) {
  if (!birth) return null;
  const [y, m, d] = birth.split('-').map(Number);
  const [ty, tm, td] = todayDate().split('-').map(Number);
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Date and time inputs that follow the interface, not the browser: a native date or
// datetime-local input shows mm/dd/yyyy and AM/PM on an en-US browser even inside the Chinese
// UI. These are text inputs in ISO YYYY-MM-DD and 24-hour HH:mm (both languages), with a small
// calendar for dates. Typing 2026/12/3, 2026年12月3日, 20261203, 9:5 or 0930 is tidied on leaving.
export function normDate(text) {
  const v = String(text || '').trim();
  const m = v.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/) || v.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (!m) return null;
  const d = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  const ms = Date.parse(`${d}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== d ? null : d;
}
export function normTime(text) {
  const m = String(text || '').trim().match(/^(\d{1,2})\s*[:：.时]?\s*(\d{2})\s*分?$/);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return `${pad(m[1])}:${m[2]}`;
}
const calIcon = () => svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true' },
  svg('rect', { x: 1.5, y: 2.5, width: 13, height: 12, rx: 2, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.3 }),
  svg('path', { d: 'M1.5 6.5h13M5 1v3M11 1v3', stroke: 'currentColor', 'stroke-width': 1.3, fill: 'none' }));

// A date input: returns its wrapper; `.input` is the text input (its value is the date).
export function dateInput({ onChange, ...props }) {
  const input = h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: 12,
    placeholder: t('fmt.date'), class: 'date-text', data: { kind: 'date' }, ...props,
  });
  let last = normDate(input.value);
  // While typing, only a complete ISO date counts; leaving the field tidies other shapes.
  const commit = (leaving) => {
    const d = normDate(input.value);
    const complete = /^\d{4}-\d{2}-\d{2}$/.test(input.value.trim());
    const bad = !!input.value.trim() && !d;
    input.setCustomValidity(bad ? t('fmt.badDate') : '');
    input.classList.toggle('is-invalid', bad && leaving);
    input.title = bad && leaving ? t('fmt.badDate') : '';
    if (!d || (!leaving && !complete)) return;
    if (leaving) input.value = d;
    if (d !== last) { last = d; if (onChange) onChange(d); }
  };
  input.addEventListener('input', () => commit(false));
  input.addEventListener('change', () => commit(true));
  const open = () => openCalendar(wrap, input, (d) => { input.value = d; commit(true); input.focus(); });
  input.addEventListener('keydown', (e) => { if (e.key === 'ArrowDown' && (e.altKey || !input.value)) { e.preventDefault(); open(); } });
  const btn = h('button', { type: 'button', class: 'cal-btn', title: t('cal.open'), 'aria-label': t('cal.open'), on: { click: open } }, calIcon());
  const wrap = h('span', { class: 'date-field' }, input, btn);
  wrap.input = input;
  return wrap;
}

// A 24-hour time input (HH:mm), with the quarter hours of a working day to pick from.
export function timeInput({ onChange, ...props }) {
  if (!document.getElementById('time-steps')) {
    const list = h('datalist', { id: 'time-steps' });
    for (let m = 7 * 60; m <= 20 * 60; m += 30) list.append(h('option', { value: `${pad(Math.floor(m / 60))}:${pad(m % 60)}` }));
    document.body.append(list);
  }
  const input = h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: 5, list: 'time-steps',
    placeholder: t('fmt.time'), class: 'time-text', data: { kind: 'time' }, ...props,
  });
  const check = (leaving) => {
    const v = normTime(input.value);
    const bad = !!input.value.trim() && !v;
    input.setCustomValidity(bad ? t('fmt.badTime') : '');
    input.classList.toggle('is-invalid', bad && leaving);
    input.title = bad && leaving ? t('fmt.badTime') : '';
    if (v && leaving && v !== input.value) input.value = v;
    if (v && onChange) onChange(v);
  };
  input.addEventListener('input', () => check(false));
  input.addEventListener('change', () => check(true));
  return input;
}

let openCal = null;
function closeCalendar() {
  if (!openCal) return;
  document.removeEventListener('mousedown', openCal.onDoc, true);
  document.removeEventListener('keydown', openCal.onKey, true);
  openCal.pop.remove();
  openCal = null;
}
// A month grid under the input (Monday first); a click picks the day.
function openCalendar(wrap, input, pick) {
  if (openCal && openCal.wrap === wrap) { closeCalendar(); return; }
  closeCalendar();
  const chosen = normDate(input.value);
  let month = (chosen || todayDate()).slice(0, 7);
  const pop = h('div', { class: 'cal-pop', role: 'dialog', 'aria-label': t('cal.open') });
  const render = () => {
    clear(pop);
    const [y, m] = month.split('-').map(Number);
    const lead = (weekdayOf(`${month}-01`) + 6) % 7;
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const go = (n) => { month = new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7); render(); };
    const names = [1, 2, 3, 4, 5, 6, 0].map((i) => DICT.weekday[L()][i]);
    pop.append(
      h('div', { class: 'cal-head' },
        h('button', { type: 'button', class: 'cal-nav', 'aria-label': t('cal.prev'), title: t('cal.prev'), on: { click: () => go(-1) } }, '‹'),
        h('strong', { class: 'cal-title', text: lang === 'en' ? month : `${y}年${m}月` }),
        h('button', { type: 'button', class: 'cal-nav', 'aria-label': t('cal.next'), title: t('cal.next'), on: { click: () => go(1) } }, '›')),
      h('div', { class: 'cal-grid' },
        names.map((n) => h('span', { class: 'cal-wd', text: lang === 'en' ? n.slice(0, 2) : n.slice(1) })),
        Array.from({ length: lead }, () => h('span', {})),
        Array.from({ length: days }, (_, i) => {
          const iso = `${month}-${pad(i + 1)}`;
          return h('button', {
            type: 'button', class: ['cal-day', iso === chosen && 'is-selected', iso === todayDate() && 'is-today', isWeekend(iso) && 'is-weekend'],
            data: { date: iso }, text: String(i + 1), on: { click: () => { closeCalendar(); pick(iso); } },
          });
        })),
      h('div', { class: 'cal-foot' },
        h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => { closeCalendar(); pick(todayDate()); } } }, t('common.today'))));
  };
  render();
  wrap.append(pop);
  openCal = {
    wrap,
    pop,
    onDoc: (e) => { if (!wrap.contains(e.target)) closeCalendar(); },
    // Escape closes the calendar, not the dialog it may sit in.
    onKey: (e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); closeCalendar(); input.focus(); } },
  };
  document.addEventListener('mousedown', openCal.onDoc, true);
  document.addEventListener('keydown', openCal.onKey, true);
}
