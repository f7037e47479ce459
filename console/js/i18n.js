// The interface's language: Simplified Chinese by default, English on the switch; t() looks a
// string up in the dictionary (strings.js, strings-referrals.js, strings-care.js), filling in {name} variables.
import { CARE_STRINGS } from './strings-care.js';
import { REFERRAL_STRINGS } from './strings-referrals.js';
import { STRINGS } from './strings.js';

const LANG_KEY = 'carelink.lang';
export const DICT = { ...STRINGS, ...REFERRAL_STRINGS, ...CARE_STRINGS };

export let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
export const L = () => (lang === 'en' ? 1 : 0);

export function t(key, vars) {
  const entry = DICT[key];
  let s = entry ? entry[L()] : key;
  if (vars && typeof s === 'string') {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}
export const tOr = (key, fallback) => (DICT[key] ? t(key) : fallback);

// The page's language and title follow the interface.
export function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `carelink ${t('app.title')}`;
}

// The switch: main.js repaints what is on screen (onLangChange), so this module needs no screen.
let repaint = () => {};
export function onLangChange(fn) { repaint = fn; }
export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, lang);
  applyLang();
  repaint();
}
