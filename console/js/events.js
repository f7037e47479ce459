// Live updates (Server-Sent Events). EventSource cannot send headers: the token goes in the query.
import { q } from './api.js';
import { urgentAlert } from './alerts.js';
import { refreshBookDay } from './booking.js';
import { shortDateTime } from './dates.js';
import { refreshDay } from './day.js';
import { $, soon } from './dom.js';
import { t, tOr } from './i18n.js';
import { residentName } from './names.js';
import { refreshPending, refreshReferrals } from './referrals.js';
import { API, S } from './state.js';
import { toast } from './widgets.js';

const EVENT_KINDS = [
  'visit.booked', 'visit.requested', 'visit.schedule', 'visit.reschedule', 'visit.cancel',
  'visit.check_in', 'visit.check_out', 'visit.missed',
  'referral.received', 'referral.accepted', 'referral.rejected', 'referral.returned',
  'referral.cancelled', 'referral.scheduled', 'referral.arrived', 'referral.completed',
  'referral.no_show', 'referral.deadline_passed',
  'visit.running_late', 'visit.overrunning', 'clinician.help',
];

let esRetry = null;
export function startEvents() {
  stopEvents();
  if (!S.session) return;
  const params = { access_token: S.session.access };
  if (S.lastEventId) params.last_event_id = S.lastEventId;
  const es = new EventSource(`${API}/events?${q(params)}`);
  S.es = es;
  es.addEventListener('open', () => setLive(true));
  es.addEventListener('error', () => {
    setLive(false);
    if (es.readyState === EventSource.CLOSED && S.es === es) {
      // Closed for good (e.g. the token in the URL expired): open again with the current one.
      clearTimeout(esRetry);
      esRetry = setTimeout(() => { if (S.session && S.es === es) startEvents(); }, 3000);
    }
  });
  const handler = (ev) => onEvent(ev);
  for (const k of EVENT_KINDS) es.addEventListener(k, handler);
  es.addEventListener('message', handler);
}
export function stopEvents() {
  clearTimeout(esRetry);
  if (S.es) { S.es.close(); S.es = null; }
  setLive(false);
}

export function setLive(on) {
  S.live = on;
  const el = $('#live');
  if (!el) return;
  el.className = `live ${on ? 'live-on' : 'live-off'}`;
  el.title = t(on ? 'live.title.on' : 'live.title.off');
  el.lastChild.textContent = t(on ? 'live.on' : 'live.off');
}

const d0 = (e) => e.data || {};

export function onEvent(ev) {
  if (ev.lastEventId) S.lastEventId = ev.lastEventId;
  let e;
  try { e = JSON.parse(ev.data); } catch (x) { return; }
  const kind = e.kind || ev.type;
  const entity = e.entity || kind.split('.')[0];
  const mine = S.own.has(e.entity_id) && Date.now() - S.own.get(e.entity_id) < 15000;
  if (entity === 'visit') {
    if (S.view === 'day') soon('day', () => refreshDay());
    if (S.view === 'book') soon('book', () => refreshBookDay());
  } else if (entity === 'referral') {
    if (S.view === 'referrals') soon('ref', () => refreshReferrals(e.entity_id));
    else soon('pending', refreshPending);
  }
  if (d0(e).urgent && (kind === 'clinician.help' || kind === 'visit.overrunning')) {
    urgentAlert(kind, d0(e));
    return;
  }
  if (!mine) {
    let what = tOr(`ev.${kind}`, null);
    const d = e.data || {};
    if (kind === 'referral.received' && d.from_organization_id === S.me.organization_id) what = t('ev.referral.sent');
    if (!what && entity === 'referral') what = t('ev.referral', { s: tOr(`rstatus.${kind.split('.')[1]}`, kind) });
    const who = d.resident_id && S.residents.has(d.resident_id) ? residentName(d.resident_id) : null;
    const when = d.starts_at ? shortDateTime(d.starts_at) : null;
    toast(t('toast.newEvent'), 'event', [what || kind, who, when].filter(Boolean).join(' · '));
  }
}
