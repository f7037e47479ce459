// The field app's words: Simplified Chinese first, English on the switch (shared with the console).
const LANG_KEY = 'carelink.lang';
export let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';

const S = {
  'app.title': ['上门服务', 'Home visits'],
  'login.title': ['医护人员与家属登录', 'Sign in: clinicians and families'],
  'login.username': ['用户名', 'Username'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Sign in'],
  'login.busy': ['正在登录…', 'Signing in…'],
  'login.failed': ['用户名或密码不正确', 'Wrong username or password'],
  'login.locked': ['尝试次数过多，请稍后再试', 'Too many attempts; try again later'],
  'login.offline': ['没有网络，无法登录', 'No network: cannot sign in'],
  'login.again': ['登录已过期，请重新登录', 'Your session ended: sign in again'],
  'login.pending': ['此手机上有 {n} 条 {user} 未发送的记录：请 {user} 登录以发送。', '{n} records of {user} are not sent yet: {user}, sign in to send them.'],
  'login.not_clinician': ['本应用供上门医护人员和老人家属使用；其他角色请使用工作台。', 'This app is for visiting clinicians and families; other roles use the console.'],
  'login.console': ['打开工作台', 'Open the console'],
  'top.signout': ['退出', 'Sign out'],
  'top.lang': ['EN', '中文'],
  'net.online': ['在线', 'Online'],
  'net.offline': ['离线', 'Offline'],
  'net.clock': ['手机时间与服务器相差 {m} 分钟，请校准', "The phone's clock is {m} min off the server's: set it right"],
  'day.today': ['今天', 'Today'],
  'day.prev': ['前一天', 'Previous day'],
  'day.next': ['后一天', 'Next day'],
  'day.empty': ['这一天没有上门服务。', 'No visits on this day.'],
  'day.cached': ['离线：显示 {time} 保存的路线', 'Offline: the route as saved at {time}'],
  'day.nocache': ['离线，且这一天的路线未保存在手机上。', 'Offline, and this day is not saved on the phone.'],
  'day.loading': ['正在载入路线…', 'Loading the route…'],
  'day.travel': ['路上 {m} 分钟', '{m} min travel'],
  'day.back_at': ['约 {time} 回到机构', 'Back at the clinic about {time}'],
  'day.summary': ['{n} 户 · 路上共 {m} 分钟', '{n} visits · {m} min travel'],
  'stop.arrive': ['到达 {time}', 'arrive {time}'],
  'status.requested': ['待排', 'requested'],
  'status.scheduled': ['待上门', 'scheduled'],
  'status.in_progress': ['服务中', 'in progress'],
  'status.completed': ['已完成', 'completed'],
  'status.missed': ['未上门', 'missed'],
  'status.cancelled': ['已取消', 'cancelled'],
  'status.pending': ['（待发送）', ' (not sent yet)'],
  'visit.back': ['‹ 路线', '‹ Route'],
  'visit.time': ['预约时间', 'Booked'],
  'visit.address': ['地址', 'Address'],
  'visit.copy': ['复制地址', 'Copy address'],
  'visit.copied': ['地址已复制，可粘贴到地图导航', 'Address copied: paste it into your maps app'],
  'visit.phone': ['电话', 'Phone'],
  'visit.needs': ['健康情况', 'Health'],
  'visit.flags': ['照护提示', 'Care flags'],
  'visit.notes': ['预约备注', 'Notes for the visit'],
  'visit.none': ['无', 'none'],
  'visit.age': ['{age} 岁', '{age} y'],
  'visit.check_in': ['签到（到达）', 'Check in (arrived)'],
  'visit.check_out': ['填写记录并签退', 'Document and check out'],
  'visit.late': ['我会晚到', "I'll be late"],
  'visit.late_minutes': ['晚到 {m} 分钟', '{m} min late'],
  'visit.late_sent': ['已告知机构和老人：晚到 {m} 分钟', 'The clinic and the resident were told: {m} min late'],
  'visit.help': ['紧急求助', 'I need help'],
  'visit.help_confirm': ['发送紧急求助和您的位置给机构？', 'Send an urgent call for help with your position to the clinic?'],
  'visit.help_sent': ['求助已发出', 'Help requested'],
  'visit.help_offline': ['没有网络：求助会在联网后发送。紧急情况请直接拨打电话。', 'No network: the call for help goes when the network returns. In an emergency, phone.'],
  'visit.locating': ['正在获取位置…', 'Getting your position…'],
  'visit.no_position': ['无法获取位置：请允许定位后重试', 'No position: allow location and try again'],
  'visit.queued': ['已记录，联网后自动发送', 'Saved: sent when the network returns'],
  'visit.done_at': ['签到 {in} · 签退 {out}', 'In {in} · out {out}'],
  'doc.title': ['服务记录', 'Visit record'],
  'doc.tasks': ['服务项目', 'Tasks'],
  'doc.done': ['已完成', 'done'],
  'doc.reason': ['未完成原因', 'Why not done'],
  'doc.add_task': ['添加项目', 'Add a task'],
  'doc.new_task': ['项目名称', 'Task'],
  'doc.vitals': ['生命体征', 'Vital signs'],
  'doc.notes': ['备注', 'Notes'],
  'doc.submit': ['签退', 'Check out'],
  'doc.cancel': ['返回', 'Back'],
  'doc.need_reason': ['未完成的项目请填写原因', 'Give a reason for each task not done'],
  'doc.range': ['{name} 应在 {low}–{high} 之间', '{name} must be {low}-{high}'],
  'doc.dia_sys': ['舒张压应低于收缩压', 'Diastolic must be below systolic'],
  'vital.systolic_mmhg': ['收缩压 mmHg', 'Systolic mmHg'],
  'vital.diastolic_mmhg': ['舒张压 mmHg', 'Diastolic mmHg'],
  'vital.fasting_glucose_mmol_l': ['空腹血糖 mmol/L', 'Fasting glucose mmol/L'],
  'vital.heart_rate_bpm': ['心率 次/分', 'Heart rate bpm'],
  'vital.weight_kg': ['体重 kg', 'Weight kg'],
  'out.title': ['发送记录', 'Outbox'],
  'out.queued': ['待发送', 'queued'],
  'out.sending': ['发送中', 'sending'],
  'out.sent': ['已发送', 'sent'],
  'out.refused': ['被拒绝', 'refused'],
  'out.dismiss': ['知道了', 'Dismiss'],
  'out.unsent_signout': ['还有 {n} 条记录未发送，退出会丢失它们。仍要退出？', '{n} records are not sent; signing out loses them. Sign out anyway?'],
  'act.check-in': ['签到', 'Check-in'],
  'act.check-out': ['签退', 'Check-out'],
  'act.running-late': ['晚到', 'Running late'],
  'act.help': ['求助', 'Help'],
  'fam.upcoming': ['即将上门', 'Coming visits'],
  'fam.past': ['过往上门', 'Past visits'],
  'fam.none': ['暂无', 'None'],
  'fam.who': ['{who} 上门', 'by {who}'],
  'fam.nobody_yet': ['待安排医护人员', 'clinician not yet booked'],
  'fam.rated': ['{n} 星', '{n} stars'],
  'fam.comment': ['说说这次服务（可不填）', 'A word on the visit (optional)'],
  'fam.send_rating': ['提交评价', 'Send the rating'],
  'fam.pick_stars': ['请先选择星级', 'Pick the stars first'],
  'fam.complaint': ['投诉与建议', 'Complaints and suggestions'],
  'fam.about': ['关于哪次上门（可不选）', 'About which visit (optional)'],
  'fam.about_none': ['不针对某次上门', 'Not about one visit'],
  'fam.complaint_hint': ['请写下您遇到的问题，机构会看到并处理', 'Say what went wrong: the clinic sees it'],
  'fam.complaint_empty': ['请先写下内容', 'Write something first'],
  'fam.send_complaint': ['提交', 'Send'],
  'fam.complaint_sent': ['已提交，机构会尽快处理', 'Sent: the clinic will look into it'],
  'err.feedback_exists': ['这次上门已经评价过了', 'This visit is rated already'],
  'err.visit_not_completed': ['上门完成后才能评价', 'A visit is rated once it is done'],
  'sex.female': ['女', 'F'],
  'sex.male': ['男', 'M'],
  'flag.living_alone': ['独居', 'lives alone'],
  'flag.disabled': ['失能', 'disabled'],
  'flag.dementia': ['认知症', 'dementia'],
  'flag.empty_nest': ['空巢', 'empty nest'],
  'flag.bedridden': ['卧床', 'bedridden'],
  'flag.low_income': ['低保', 'low income'],
  'err.generic': ['出错了', 'Something went wrong'],
  'err.invalid_transition': ['这次上门的状态已变（可能已被取消或改约），此操作无效', 'The visit has changed (cancelled or rebooked?): this no longer applies'],
  'err.invalid_state': ['这次上门的状态已变，此操作无效', 'The visit has changed: this no longer applies'],
  'err.validation_failed': ['内容不符合要求', 'Something in it is not valid'],
  'err.forbidden': ['您无权对这次上门执行此操作', 'You may not do this on this visit'],
  'err.not_found': ['找不到这次上门（可能已改派给他人）', 'The visit is not found (given to someone else?)'],
  'err.concurrent_update': ['同时有其他修改，请刷新后重试', 'Another change came first: reload and try again'],
  'err.idempotency_key_reused': ['重复发送的内容不一致', 'A retry differed from the first send'],
  'visit.gone': ['这次上门已不在您今天的路线上（可能已被取消或改派）。', 'This visit is no longer on your route (cancelled or given to someone else).'],
};

export function t(key, vars) {
  const entry = S[key];
  let s = entry ? entry[lang === 'en' ? 1 : 0] : key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split(`{${k}}`).join(String(v));
  return s;
}
export const has = (key) => key in S;

export function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `carelink ${t('app.title')}`;
}
export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, lang);
  applyLang();
}

// Times as the clinician reads them: the district's clock (UTC+8), hours and minutes.
export function hhmm(iso) {
  if (!iso) return '';
  const d = new Date(Date.parse(iso) + 8 * 3600e3);
  return d.toISOString().slice(11, 16);
}
export function districtToday(offsetDays = 0) {
  return new Date(Date.now() + 8 * 3600e3 + offsetDays * 864e5).toISOString().slice(0, 10);
}
export function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 864e5).toISOString().slice(0, 10);
}
