// What the field app keeps on the phone, all under one prefix so that sign-out drops every bit of
// it: the session, who is signed in, each saved day's route and residents, and the outbox.
const PREFIX = 'carelink.field.';
export const KEYS = {
  session: `${PREFIX}session`,
  me: `${PREFIX}me`,
  queue: `${PREFIX}queue`,
  day: (date) => `${PREFIX}day.${date}`,
};

export function load(key, fallback = null) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch (e) {
    return fallback;
  }
}
export function save(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}
function ours() {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k && k.startsWith(PREFIX)) keys.push(k);
  }
  return keys;
}
// Saved days other than these go (a day's route is kept for that day).
export function keepDays(dates) {
  const keep = new Set(dates.map(KEYS.day));
  for (const k of ours()) if (k.startsWith(`${PREFIX}day.`) && !keep.has(k)) localStorage.removeItem(k);
}
// Sign-out: nothing of the clinician's day outlives it.
export function clearAll() {
  for (const k of ours()) localStorage.removeItem(k);
}
