// Names: organisations, staff, residents, services, skills, flags and roles, in the interface's
// language; and what each role may see and do.
// English names of the catalogue's service types (the API serves Chinese names only).
import { api } from './api.js';
import { L, lang, t, tOr } from './i18n.js';
import { S } from './state.js';

export const SERVICE_EN = {
  basic_nursing: 'Basic nursing', blood_pressure_check: 'Blood pressure check',
  catheter_care: 'Catheter care', chronic_disease_follow_up: 'Chronic disease follow-up',
  dementia_care_visit: 'Dementia care visit', health_check: 'Health check',
  home_infusion: 'Home infusion', medication_review: 'Medication review',
  palliative_care_visit: 'Palliative care visit', pressure_ulcer_care: 'Pressure ulcer care',
  rehabilitation_training: 'Rehabilitation training', stroke_rehabilitation: 'Stroke rehabilitation',
  tcm_acupuncture: 'TCM acupuncture', tcm_health_guidance: 'TCM health guidance',
  vaccination_assessment: 'Vaccination assessment', wound_dressing: 'Wound dressing',
};
export const SKILLS = {
  nursing: ['护理', 'nursing'], wound_care: ['伤口护理', 'wound care'],
  rehabilitation: ['康复', 'rehabilitation'], general_practice: ['全科', 'general practice'],
  tcm: ['中医', 'TCM'],
};
export const FLAGS = {
  living_alone: ['独居', 'lives alone'], disabled: ['失能', 'disabled'], dementia: ['认知症', 'dementia'],
  empty_nest: ['空巢', 'empty nest'], bedridden: ['卧床', 'bedridden'], low_income: ['低保', 'low income'],
};

export const orgName = (id) => (S.orgs.get(id) || {}).name || '—';
// A clinician may see colleagues' visits but not their staff records (the API answers 404).
export const staffName = (id) => (S.staff.get(id) || {}).display_name || (id ? `${t('day.colleague')} ·${id.slice(-4)}` : '—');
export const resident = (id) => S.residents.get(id);
export const residentName = (id) => (resident(id) || {}).name || (id ? `#${id.slice(-6)}` : '—');
export function serviceName(code) {
  const s = S.services.get(code);
  if (lang === 'en') return SERVICE_EN[code] || (s && s.name) || code;
  return (s && s.name) || code;
}
export const skillName = (k) => (SKILLS[k] ? SKILLS[k][L()] : k);
export const flagName = (k) => (FLAGS[k] ? FLAGS[k][L()] : k);
export const roleName = (r) => tOr(`role.${r}`, r);
// Booking, scheduling and cancelling visits is the scheduler's (and the authority's); a clinician
// may look up free slots but the API refuses the rest (403), so the console does not offer it.
export const canBook = () => S.me && ['scheduler', 'admin'].includes(S.me.role);

export async function ensureResidents(ids) {
  const missing = [...new Set(ids.filter((id) => id && !S.residents.has(id)))];
  await Promise.all(missing.map(async (id) => {
    try { S.residents.set(id, await api(`/residents/${id}`)); } catch (e) { /* not visible: keep the id */ }
  }));
}

// The screens of each role, in the order of the menu.
export function viewsFor(role) {
  switch (role) {
    case 'scheduler':
    case 'clinician': return ['day', 'book', 'care', 'referrals', 'report'];
    case 'hospital':
    case 'care_home': return ['referrals', 'report'];
    case 'admin': return ['referrals', 'report'];
    default: return [];
  }
}
