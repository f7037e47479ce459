// The state the screens share, and where the API is.
export const API = '/api/v1';

export const S = {
  session: null, // {access, refresh, exp (ms)}
  me: null,
  orgs: new Map(),
  services: new Map(),
  staff: new Map(),
  clinicians: [],
  residents: new Map(),
  view: null,
  live: false,
  es: null,
  lastEventId: null,
  own: new Map(), // ids this tab just changed -> time (no toast for our own changes)
  day: { date: null, data: null },
  book: { date: null, slots: null },
  fresh: null, // {id, at}: the visit this tab just booked
  ref: { box: 'inbox', status: '', overdue: false, items: [], selected: null, detail: null },
  report: { from: null, to: null, data: null, showAll: false },
};
