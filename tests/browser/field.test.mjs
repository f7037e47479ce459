// End-to-end checks of the clinicians' field app (/field/) in Chromium with a phone's screen, touch
// and position: a clinician's day from sign-in to check-out; then with the network cut (the
// browser's offline mode) the route still opens from the phone, a check-in, a record and a
// check-out are queued and sent in order on reconnection, each once and with the phone's time;
// an action the server refuses stays shown with its reason; sign-out leaves nothing behind.
//
//   CARELINK_URL=http://127.0.0.1:18090 node field.test.mjs     (tests/browser/run.sh does it all)
//
// Expects a server with the demo data (admin, sched01; password carelink-demo-2026). Makes its own
// clinician (field01) with a shift around now and three visits from a few minutes ahead, so it runs
// at any hour; in the district's last hour of a day it first waits for the next day (a
// visit booked for tomorrow cannot be checked in with today's time, which is the rule under test).
import assert from 'node:assert/strict';
import {
  BASE, call, finish, launch, PASSWORD, shanghaiToday, SHOTS, shot, step, suiteName, tokenFor, WAIT, watch,
} from './lib.mjs';

suiteName('field', 'field-');
const FIELD_PASSWORD = 'field-test-pass-2026';
const PHONE = { width: 390, height: 844 };

// The district's clock, as text: "HH:MM" of an instant.
const hhmm = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(11, 16);
const iso = (ms) => `${new Date(ms + 8 * 3600e3).toISOString().slice(0, 19)}+08:00`;
const minute = 60_000;

console.log(`carelink field app test against ${BASE} (screenshots in ${SHOTS})`);
{
  const minutesLeft = (Date.parse(`${shanghaiToday()}T24:00:00+08:00`) - Date.now()) / minute;
  if (minutesLeft < 60) {
    console.log(`  (waiting ${Math.ceil(minutesLeft)} minutes for the district's next day)`);
    await new Promise((r) => setTimeout(r, (minutesLeft + 0.5) * minute));
  }
}

let admin, sched, clinician, visits, residents, phone, ctx, desk;
await step('setup: a clinician with a shift around now and three visits from a few minutes ahead', async () => {
  admin = await tokenFor('admin');
  sched = await tokenFor('sched01');
  const me = await call(sched, 'GET', '/me');
  const suffix = Date.now().toString(36).slice(-5);
  clinician = await call(admin, 'POST', '/staff', {
    username: `field01-${suffix}`, display_name: '陈护士', role: 'clinician', organization_id: me.organization_id,
    skills: ['nursing'], password: FIELD_PASSWORD,
  });
  const now = Date.now();
  await call(sched, 'POST', '/shifts', { clinician_id: clinician.id, starts_at: iso(now - 30 * minute), ends_at: iso(now + 8 * 60 * minute), breaks: [] });
  const all = (await call(sched, 'GET', '/residents?limit=500')).items.filter((r) => r.address);
  residents = all.slice(0, 3);
  assert.equal(residents.length, 3, 'the demo clinic needs three residents');
  const first = Math.ceil((now + 4 * minute) / minute) * minute;
  visits = [];
  for (const [i, r] of residents.entries()) {
    const start = first + i * 25 * minute;
    visits.push(await call(sched, 'POST', '/visits', {
      resident_id: r.id, service_type: 'blood_pressure_check', clinician_id: clinician.id, starts_at: iso(start),
      notes: i === 0 ? '老人耳背，请大声敲门' : '',
    }));
  }
  const browser = await launch();
  ctx = await browser.newContext({
    viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    geolocation: { latitude: residents[0].location.lat, longitude: residents[0].location.lon }, permissions: ['geolocation'],
  });
  phone = await ctx.newPage();
  watch(phone, clinician.username);
  phone.on('dialog', (d) => d.accept()); // "send a call for help?": yes
  // The clinic's desk, on the staff console, hears the field.
  desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
  watch(desk, 'sched01');
  await desk.goto(`${BASE}/`);
  await desk.fill('#login-username', 'sched01');
  await desk.fill('#login-password', PASSWORD);
  await desk.click('.login-form button[type=submit]');
  await desk.locator('#live.live-on').waitFor({ timeout: WAIT });
});

await step('(a) the app installs: a manifest, an icon and a service worker that keeps the app', async () => {
  await phone.goto(`${BASE}/field/`);
  await phone.locator('#login-username').waitFor({ timeout: WAIT });
  assert.equal(await phone.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await phone.locator('.login-form').innerText(), /医护人员与家属登录/);
  const manifest = await (await fetch(`${BASE}${await phone.getAttribute('link[rel=manifest]', 'href')}`)).json();
  assert.equal(manifest.start_url, '/field/');
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.icons.length && (await fetch(`${BASE}${manifest.icons[0].src}`)).ok, 'the icon is served');
  await phone.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller, null, { timeout: WAIT });
  const csp = (await fetch(`${BASE}/field/`)).headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  await shot(phone, 'field-01-login');
});

await step('(b) the clinician signs in and sees today\'s route in order, with times, addresses and needs', async () => {
  await phone.fill('#login-username', clinician.username);
  await phone.fill('#login-password', FIELD_PASSWORD);
  await phone.click('.login-form button[type=submit]');
  await phone.locator('.stops .stop').nth(2).waitFor({ timeout: WAIT });
  assert.match(await phone.locator('.user-name').innerText(), /陈护士/);
  const ids = await phone.locator('.stops .stop').evaluateAll((els) => els.map((e) => e.dataset.visit));
  assert.deepEqual(ids, visits.map((v) => v.id), 'the route in booked order');
  for (const [i, v] of visits.entries()) {
    const card = phone.locator(`.stop[data-visit="${v.id}"]`);
    const text = await card.innerText();
    assert.ok(text.includes(hhmm(Date.parse(v.starts_at))), `stop ${i + 1} shows its start ${hhmm(Date.parse(v.starts_at))}: ${text}`);
    assert.ok(text.includes(residents[i].name) && text.includes(residents[i].address), `stop ${i + 1} names the resident and the address`);
    assert.match(text, /血压测量/);
    assert.match(text, /待上门/);
  }
  const [sw, cw] = await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(sw <= cw + 1, `the route fits a phone (${sw} px in ${cw})`);
  await shot(phone, 'field-02-route');
});

await step('(c) online: the first visit, checked in at the door, documented and checked out', async () => {
  await phone.click(`.stop[data-visit="${visits[0].id}"]`);
  const card = phone.locator(`.visit[data-visit="${visits[0].id}"]`);
  await card.waitFor({ timeout: WAIT });
  const text = await card.innerText();
  assert.ok(text.includes(residents[0].phone) && text.includes('老人耳背'), 'the phone number and the visit\'s notes');
  assert.ok(await phone.locator('.copy').isVisible(), 'the address can be copied for the maps app');
  await shot(phone, 'field-03-visit');
  await phone.click('.check-in');
  await phone.locator('.document').waitFor({ timeout: WAIT });
  await phone.locator(`.out-item[data-visit="${visits[0].id}"][data-action="check-in"][data-state="sent"]`).waitFor({ timeout: WAIT });
  await phone.click('.document');
  await phone.locator('.doc-form').waitFor({ timeout: WAIT });
  await phone.fill('#v-systolic_mmhg', '300');
  await phone.click('.doc-form button[type=submit]');
  await phone.locator('.form-errors', { hasText: '收缩压' }).waitFor({ timeout: WAIT });
  await phone.fill('#v-systolic_mmhg', '152');
  await phone.fill('#v-diastolic_mmhg', '92');
  await phone.fill('.doc-form textarea', '血压偏高，嘱按时服药');
  await shot(phone, 'field-04-record');
  await phone.click('.doc-form button[type=submit]');
  await phone.locator(`.out-item[data-visit="${visits[0].id}"][data-action="check-out"][data-state="sent"]`).waitFor({ timeout: WAIT });
  const v = await call(sched, 'GET', `/visits/${visits[0].id}`);
  assert.equal(v.status, 'completed');
  assert.equal(v.documentation.vital_signs.systolic_mmhg, 152);
  assert.deepEqual(v.documentation.tasks.map((t) => [t.task, t.done]), [['血压测量', true]]);
  assert.ok(v.check_in_distance_m < 50, `checked in at the door (${v.check_in_distance_m} m)`);
});

await step('(d) one tap tells the clinic of a late arrival at the next visit', async () => {
  await phone.locator(`.stop[data-visit="${visits[0].id}"] .badge`, { hasText: '已完成' }).waitFor({ timeout: WAIT });
  await phone.click(`.stop[data-visit="${visits[1].id}"]`);
  await phone.click('.late-btn[data-minutes="20"]');
  await phone.locator(`.out-item[data-visit="${visits[1].id}"][data-action="running-late"][data-state="sent"]`).waitFor({ timeout: WAIT });
  const audit = (await call(admin, 'GET', `/audit?entity=visit&entity_id=${visits[1].id}&limit=50`)).items;
  assert.equal(audit.filter((a) => a.action === 'running_late').length, 1);
});

await step('(d2) "I need help" reaches the clinic\'s desk at once, with the position, until acknowledged', async () => {
  await phone.click('.help');
  await phone.locator(`.out-item[data-visit="${visits[1].id}"][data-action="help"][data-state="sent"]`).waitFor({ timeout: WAIT });
  const alert = desk.locator(`.alert[data-kind="clinician.help"][data-visit="${visits[1].id}"]`);
  await alert.waitFor({ timeout: WAIT });
  const text = await alert.innerText();
  assert.match(text, /紧急求助：陈护士/);
  assert.ok(text.includes(residents[1].name) && text.includes(String(residents[0].location.lat)), `the resident and the position: ${text}`);
  await shot(desk, 'field-desk-help-alert');
  await desk.waitForTimeout(5000);
  assert.equal(await alert.count(), 1, 'an urgent alert stays (a toast would have gone)');
  await alert.locator('.alert-ack').click();
  assert.equal(await alert.count(), 0);
  await phone.click('.back');
  await phone.locator('.stops').waitFor({ timeout: WAIT });
});

let offlineAt;
await step('(e) offline: the route opens from the phone; check-in, record and check-out are queued', async () => {
  await ctx.setOffline(true);
  await phone.reload();
  await phone.locator('.banner.offline').waitFor({ timeout: WAIT });
  await phone.locator('.net.off').waitFor({ timeout: WAIT });
  // The clinic cancels the third visit meanwhile; the phone cannot know.
  await call(sched, 'POST', `/visits/${visits[2].id}/cancel`, { reason: '老人住院' });
  await phone.click(`.stop[data-visit="${visits[1].id}"]`);
  offlineAt = Date.now();
  await phone.click('.check-in');
  await phone.locator('.document').waitFor({ timeout: WAIT });
  assert.match(await phone.locator('.visit .badge').first().innerText(), /服务中（待发送）/);
  await phone.click('.document');
  await phone.fill('#v-heart_rate_bpm', '78');
  await phone.locator('.task-done').first().uncheck();
  await phone.fill('.task-reason', '老人拒绝测量');
  await phone.click('.doc-form button[type=submit]');
  await phone.locator(`.stop[data-visit="${visits[1].id}"] .badge`, { hasText: '已完成（待发送）' }).waitFor({ timeout: WAIT });
  await phone.click(`.stop[data-visit="${visits[2].id}"]`);
  await phone.click('.check-in');
  await phone.locator('.outbox .badge[data-count="queued"]', { hasText: '3' }).waitFor({ timeout: WAIT });
  await shot(phone, 'field-05-offline-queue');
  const v = await call(sched, 'GET', `/visits/${visits[1].id}`);
  assert.equal(v.status, 'scheduled', 'nothing reached the server while offline');
});

await step('(f) back online: sent in order, each once with the phone\'s time; the refused one is shown', async () => {
  await phone.waitForTimeout(2000); // the phone's times lie before the server's
  await ctx.setOffline(false);
  await phone.locator(`.out-item[data-visit="${visits[1].id}"][data-action="check-out"][data-state="sent"]`).waitFor({ timeout: WAIT });
  const refused = phone.locator(`.out-item[data-visit="${visits[2].id}"][data-action="check-in"][data-state="refused"]`);
  await refused.waitFor({ timeout: WAIT });
  assert.match(await refused.innerText(), /被拒绝/);
  assert.match(await refused.locator('.why').innerText(), /状态已变/, 'the reason is shown, in the clinician\'s language');
  await phone.locator('.gone').waitFor({ timeout: WAIT }); // the visit left the route: said so
  const v = await call(sched, 'GET', `/visits/${visits[1].id}`);
  assert.equal(v.status, 'completed');
  const device = Date.parse(v.check_in_recorded_at);
  assert.ok(Math.abs(device - offlineAt) < 10_000, `check_in_recorded_at is the phone's time (${v.check_in_recorded_at})`);
  assert.ok(Date.parse(v.check_in_at) - device >= 1000, `the server's own time is kept beside it (${v.check_in_at})`);
  assert.ok(v.check_out_recorded_at && Date.parse(v.check_out_recorded_at) <= Date.parse(v.check_out_at) + 1000);
  assert.deepEqual(v.documentation.tasks.map((t) => [t.done, t.reason]), [[false, '老人拒绝测量']]);
  assert.equal(v.documentation.vital_signs.heart_rate_bpm, 78);
  const audit = (await call(admin, 'GET', `/audit?entity=visit&entity_id=${visits[1].id}&limit=50`)).items;
  assert.deepEqual(['check_in', 'check_out'].map((a) => audit.filter((x) => x.action === a).length), [1, 1], 'each once');
  assert.equal((await call(sched, 'GET', `/visits/${visits[2].id}`)).status, 'cancelled');
  await shot(phone, 'field-06-sent-and-refused');
  await refused.locator('.dismiss').click();
  assert.equal(await refused.count(), 0, 'dismissed by the clinician, not before');
});

await step('(g) the English switch, then sign-out leaves nothing of the day on the phone', async () => {
  await phone.click('.top-actions button:first-child');
  await phone.locator('.net.on', { hasText: 'Online' }).waitFor({ timeout: WAIT });
  assert.equal(await phone.getAttribute('html', 'lang'), 'en');
  await shot(phone, 'field-07-english');
  await phone.click('.signout');
  await phone.locator('#login-username').waitFor({ timeout: WAIT });
  const left = await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('carelink.field.')));
  assert.deepEqual(left, [], 'no route, resident or token kept');
});

await step('(h) the family: the visit done today, by whom; a rating once; it counts in the unit report', async () => {
  const family = await tokenFor('resident01');
  const who = await call(family, 'GET', '/me');
  const clinicianToken = await tokenFor(clinician.username, FIELD_PASSWORD);
  const resident = await call(sched, 'GET', `/residents/${who.resident_id}`);
  const start = Math.ceil((Date.now() + 2 * minute) / minute) * minute + 80 * minute;
  const v = await call(sched, 'POST', '/visits', { resident_id: resident.id, service_type: 'blood_pressure_check', clinician_id: clinician.id, starts_at: iso(start) });
  const here = { lat: resident.location.lat, lon: resident.location.lon };
  await call(clinicianToken, 'POST', `/visits/${v.id}/check-in`, here);
  await call(clinicianToken, 'POST', `/visits/${v.id}/check-out`, { ...here, tasks: [{ task: '血压测量', done: true }] });
  const today = shanghaiToday();
  const voiceOf = async () => {
    const report = await call(admin, 'GET', `/reports/units?from=${today}&to=${today}`);
    const unit = report.units.find((u) => u.organization_id === v.clinic_id);
    return unit && unit.figures ? unit.figures.voice : null;
  };
  const before = await voiceOf();
  const fctx = await phone.context().browser().newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const fam = await fctx.newPage();
  watch(fam, 'resident01');
  await fam.goto(`${BASE}/field/`);
  await fam.fill('#login-username', 'resident01');
  await fam.fill('#login-password', PASSWORD);
  await fam.click('.login-form button[type=submit]');
  const card = fam.locator(`.past .fam-visit[data-visit="${v.id}"]`);
  await card.waitFor({ timeout: WAIT });
  assert.match(await card.innerText(), /陈护士 上门/);
  assert.match(await card.innerText(), /已完成/);
  await card.locator('.star[data-n="4"]').click();
  await card.locator('.comment').fill('很耐心，讲得清楚');
  await shot(fam, 'field-08-family-rate');
  await card.locator('button[type=submit]').click();
  await card.locator('.stars').waitFor({ timeout: WAIT });
  assert.equal(await card.locator('.star').count(), 0, 'rated once: no second form');
  const after = await voiceOf();
  assert.equal(after.ratings, (before ? before.ratings : 0) + 1, `the report counts the rating: ${JSON.stringify(after)}`);
  const again = await fetch(`${BASE}/api/v1/visits/${v.id}/feedback`, { method: 'POST', headers: { Authorization: `Bearer ${family}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ rating: 1 }) });
  assert.equal(again.status, 409, 'a second rating is refused');
  await fam.fill('#complaint-text', '上次约好九点，十点才到');
  await fam.click('.complaint button[type=submit]');
  await fam.locator('#toast.show', { hasText: '已提交' }).waitFor({ timeout: WAIT });
  const complaints = (await call(sched, 'GET', '/complaints?limit=500')).items;
  assert.ok(complaints.some((c) => c.text === '上次约好九点，十点才到'), 'the clinic sees the complaint');
  await shot(fam, 'field-09-family');
});

await finish();
