// Urgent alerts from the field: a clinician's call for help (with where they are) and a visit
// still under way well past its end. Unlike toasts they stay on screen until someone at the desk
// acknowledges them; a late arrival is a toast only.
import { api } from './api.js';
import { $, h } from './dom.js';
import { t } from './i18n.js';
import { residentName } from './names.js';
import { S } from './state.js';

async function clinicianName(id) {
  if (S.staff.has(id)) return S.staff.get(id).display_name;
  try {
    const s = await api(`/staff/${encodeURIComponent(id)}`);
    S.staff.set(id, s);
    return s.display_name;
  } catch (e) {
    return id;
  }
}

function box() {
  let el = $('#alerts');
  if (!el) {
    el = h('div', { id: 'alerts', class: 'alerts', role: 'alert', 'aria-live': 'assertive' });
    document.body.prepend(el);
  }
  return el;
}

// An urgent field event (`clinician.help`, `visit.overrunning`): shown until acknowledged.
export async function urgentAlert(kind, d) {
  const who = await clinicianName(d.clinician_id);
  const resident = d.resident_id && S.residents.has(d.resident_id) ? residentName(d.resident_id) : null;
  const title = kind === 'clinician.help' ? t('alert.help', { who }) : t('alert.overrun', { who, m: d.minutes ?? '?' });
  const where = d.lat !== undefined && d.lat !== null ? t('alert.position', { lat: d.lat, lon: d.lon }) : null;
  const el = h('div', { class: ['alert', `alert-${kind.replace('.', '-')}`], data: { kind, visit: d.visit_id } },
    h('strong', { text: title }),
    h('span', { class: 'alert-sub', text: [resident, d.text, where].filter(Boolean).join(' · ') }),
    h('button', { type: 'button', class: 'btn btn-small alert-ack', on: { click: () => el.remove() } }, t('alert.ack')));
  box().append(el);
}
