// carelink staff console: a static single-page app, one more client of the public API (/api/v1).
// Plain modern JavaScript, no framework, no build step. Every element is built with DOM APIs
// (text via textContent, never HTML strings), so the strict Content-Security-Policy holds.
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // Constants
  const API = '/api/v1';
  const TZ_OFFSET = '+08:00'; // the district's time zone, Asia/Shanghai (no daylight saving)
  const TZ_MS = 8 * 3600 * 1000;
  const DAY_MS = 24 * 3600 * 1000;
  const AXIS_START = 8 * 60; // the day view's axis: 08:00 ...
  const AXIS_END = 18 * 60; // ... to 18:00, in minutes of the day
  const SESSION_KEY = 'carelink.session';
  const LANG_KEY = 'carelink.lang';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const EVENT_KINDS = [
    'visit.booked', 'visit.requested', 'visit.schedule', 'visit.reschedule', 'visit.cancel',
    'visit.check_in', 'visit.check_out', 'visit.missed',
    'referral.received', 'referral.accepted', 'referral.rejected', 'referral.returned',
    'referral.cancelled', 'referral.scheduled', 'referral.arrived', 'referral.completed',
    'referral.no_show', 'referral.deadline_passed',
  ];

  // ---------------------------------------------------------------------------------------------
  // The dictionary: [简体中文, English]. Simplified Chinese is the default.
  const DICT = {
    'app.title': ['医养结合工作台', 'Care console'],
    'app.subtitle': ['五华区医养结合服务平台', 'Wuhua District medical-elderly care'],
    'lang.switch': ['English', '中文'],
    'login.title': ['员工登录', 'Staff sign-in'],
    'login.username': ['用户名', 'Username'],
    'login.password': ['密码', 'Password'],
    'login.submit': ['登录', 'Sign in'],
    'login.busy': ['正在登录…', 'Signing in…'],
    'login.failed': ['用户名或密码不正确', 'Wrong username or password'],
    'login.locked': ['登录失败次数过多，账户暂时锁定，请稍后再试', 'Too many failed attempts: the account is locked for a while'],
    'login.expired': ['登录已过期，请重新登录', 'Your session has ended: please sign in again'],
    'login.elsewhere': ['会话已在其他标签页结束，请重新登录', 'The session ended in another tab: please sign in again'],
    'demo.title': ['演示账号', 'Demo logins'],
    'demo.intro': ['本数据库含演示数据。点击账号填入登录表单，所有演示账号的密码均为', 'This database holds demo data. Click a login to fill the form; every demo login has the password'],
    'fmt.date': ['年-月-日', 'YYYY-MM-DD'],
    'fmt.time': ['时:分', 'HH:mm'],
    'fmt.badDate': ['请按 年-月-日 填写日期，如 2026-12-03', 'Write the date as YYYY-MM-DD, e.g. 2026-12-03'],
    'fmt.badTime': ['请按 24 小时制 时:分 填写，如 14:30', 'Write the time as 24-hour HH:mm, e.g. 14:30'],
    'cal.open': ['选择日期', 'Choose a date'],
    'cal.prev': ['上个月', 'Previous month'],
    'cal.next': ['下个月', 'Next month'],
    'login.residentNo': ['本工作台供机构员工使用，居民请使用手机应用。', 'This console is for staff; residents use the mobile app.'],
    'logout': ['退出', 'Sign out'],
    'nav.day': ['日程', 'Day'],
    'nav.book': ['预约上门', 'Book a visit'],
    'nav.referrals': ['双向转诊', 'Referrals'],
    'nav.report': ['考核报表', 'Unit report'],
    'live.on': ['实时', 'Live'],
    'live.off': ['离线', 'Offline'],
    'live.title.on': ['实时更新已连接', 'Live updates connected'],
    'live.title.off': ['实时更新未连接，正在重试', 'Live updates disconnected, retrying'],
    'role.admin': ['区卫健局', 'Authority'],
    'role.scheduler': ['调度员', 'Scheduler'],
    'role.clinician': ['医护人员', 'Clinician'],
    'role.care_home': ['养老机构', 'Care home'],
    'role.hospital': ['医院转诊台', 'Hospital desk'],
    'role.resident': ['居民', 'Resident'],
    'common.loading': ['正在载入…', 'Loading…'],
    'common.refresh': ['刷新', 'Refresh'],
    'common.cancel': ['取消', 'Cancel'],
    'common.close': ['关闭', 'Close'],
    'common.confirm': ['确定', 'Confirm'],
    'common.none': ['无', 'None'],
    'common.minutes': ['{n} 分钟', '{n} min'],
    'common.today': ['今天', 'Today'],
    'common.tomorrow': ['明天', 'Tomorrow'],
    'common.prevDay': ['前一天', 'Previous day'],
    'common.nextDay': ['后一天', 'Next day'],
    'common.date': ['日期', 'Date'],
    'common.readOnly': ['只读', 'Read only'],
    'common.back': ['返回列表', 'Back to list'],
    'common.required': ['必填', 'required'],
    'common.saving': ['正在提交…', 'Saving…'],
    'common.years': ['{n} 岁', '{n} y'],
    'weekday': [['周日', '周一', '周二', '周三', '周四', '周五', '周六'], ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']],
    'sex.female': ['女', 'F'],
    'sex.male': ['男', 'M'],
    // Day view
    'day.title': ['出诊日程', 'Visits of the day'],
    'day.timeline': ['医护人员时间轴', 'Clinicians'],
    'day.noClinicians': ['本机构暂无医护人员', 'No clinicians in this clinic'],
    'day.summary': ['已排 {n} 次上门', '{n} visits scheduled'],
    'day.weekend': ['周末无排班', 'Weekend: no shifts'],
    'day.offShift': ['今日无排班', 'No shift this day'],
    'day.pool': ['待排池', 'Pool'],
    'day.poolHint': ['尚未安排医护的上门需求（紧急与重点人群在前）', 'Requested visits not yet assigned (urgent and priority residents first)'],
    'day.poolEmpty': ['待排池为空', 'The pool is empty'],
    'day.exceptions': ['定位异常', 'Location exceptions'],
    'day.exceptionsHint': ['签到或签退位置超出范围，需主管复核', 'Check-in or check-out away from home: for a supervisor to review'],
    'day.exceptionsEmpty': ['暂无定位异常', 'No location exceptions'],
    'day.schedule': ['安排', 'Schedule'],
    'day.newVisit': ['预约上门', 'Book a visit'],
    'day.legend': ['图例', 'Legend'],
    'day.colleague': ['同事', 'Colleague'],
    'day.travel': ['路程', 'travel'],
    'day.travelLegend': ['路程', 'Travel'],
    'day.checkIn': ['签到 {m} 米', 'check-in {m} m'],
    'day.checkOut': ['签退 {m} 米', 'check-out {m} m'],
    'day.window': ['时间窗', 'Window'],
    'visit.title': ['上门服务', 'Home visit'],
    'visit.resident': ['居民', 'Resident'],
    'visit.service': ['服务项目', 'Service'],
    'visit.time': ['时间', 'Time'],
    'visit.clinician': ['医护人员', 'Clinician'],
    'visit.status': ['状态', 'Status'],
    'visit.priority': ['优先级', 'Priority'],
    'visit.address': ['地址', 'Address'],
    'visit.phone': ['电话', 'Phone'],
    'visit.travel': ['路程', 'Travel'],
    'visit.notes': ['备注', 'Notes'],
    'visit.cancel': ['取消上门', 'Cancel visit'],
    'visit.cancelReason': ['取消原因', 'Reason'],
    'visit.cancelled': ['已取消上门', 'Visit cancelled'],
    'visit.scheduled': ['已安排：{who} {time}', 'Scheduled: {who} {time}'],
    'visit.reschedule': ['改约', 'Reschedule'],
    'visit.rescheduled': ['已改约：{who} {time}', 'Rescheduled: {who} {time}'],
    'visit.now': ['当前：{who} {time}', 'Now: {who} {time}'],
    'visit.pickSlot': ['选择时段', 'Pick a slot'],
    'vstatus.requested': ['待安排', 'Requested'],
    'vstatus.scheduled': ['已安排', 'Scheduled'],
    'vstatus.in_progress': ['服务中', 'In progress'],
    'vstatus.completed': ['已完成', 'Completed'],
    'vstatus.cancelled': ['已取消', 'Cancelled'],
    'vstatus.missed': ['未上门', 'Missed'],
    'vprio.routine': ['常规', 'Routine'],
    'vprio.urgent': ['紧急', 'Urgent'],
    // Booking
    'book.title': ['预约上门服务', 'Book a home visit'],
    'book.resident': ['居民', 'Resident'],
    'book.pickResident': ['请选择居民', 'Choose a resident'],
    'book.service': ['服务项目', 'Service'],
    'book.pickService': ['请选择服务项目', 'Choose a service'],
    'book.date': ['日期', 'Date'],
    'book.from': ['最早', 'From'],
    'book.to': ['最晚', 'To'],
    'book.priority': ['优先级', 'Priority'],
    'book.clinician': ['指定医护', 'Clinician'],
    'book.anyClinician': ['不限', 'Any'],
    'book.find': ['查找空档', 'Find slots'],
    'book.finding': ['正在查找…', 'Searching…'],
    'book.toPool': ['放入待排池', 'Put in the pool'],
    'book.findAgain': ['继续查找空档', 'Find more slots'],
    'book.toPoolDone': ['已放入待排池', 'Added to the pool'],
    'book.slots': ['可预约时段', 'Available slots'],
    'book.slotsHint': ['按家庭医生优先、路程最少、时间最早排序；点击时段即预约', 'Family doctor first, then least travel, then earliest; click a slot to book it'],
    'book.lookOnly': ['医护人员可查询空档；预约、安排与取消由本机构调度员办理', 'Clinicians can look up free slots; the clinic\'s scheduler books, schedules and cancels'],
    'book.slotsHintLook': ['按家庭医生优先、路程最少、时间最早排序', 'Family doctor first, then least travel, then earliest'],
    'book.noSlots': ['该时间窗内没有可预约的时段，请放宽时间窗或改日', 'No free slot in this window: widen it or try another day'],
    'book.slotsIdle': ['选择居民、服务项目和时间窗后查找空档', 'Choose a resident, a service and a window, then search'],
    'book.travelBefore': ['路程 {n} 分钟', '{n} min travel'],
    'book.addedTravel': ['新增路程 {n} 分钟', '+{n} min travel'],
    'book.familyDoctor': ['家庭医生', 'Family doctor'],
    'book.booking': ['正在预约…', 'Booking…'],
    'book.booked': ['已预约：{res} · {svc} · {who} {time}', 'Booked: {res} · {svc} · {who} {time}'],
    'book.alternatives': ['该时段已被占用，可改选以下时段：', 'That slot was taken; these are free:'],
    'book.dayOf': ['{date} 的排班', 'Schedule of {date}'],
    'book.weekendWarn': ['所选日期为周末，医护人员通常无排班', 'The date is a weekend: clinicians usually have no shift'],
    'book.noResidents': ['暂无可预约的居民', 'No residents to book for'],
    // Referrals
    'ref.title': ['双向转诊', 'Two-way referral'],
    'ref.inbox': ['收件箱', 'Inbox'],
    'ref.outbox': ['发件箱', 'Outbox'],
    'ref.watching': ['签约机构', 'Signed homes'],
    'ref.watchingHint': ['与本中心签约的养老机构发出或收到的转诊（只读关注）', 'Referrals of the care homes signed with this clinic (followed, read only)'],
    'ref.watchingEmpty': ['签约养老机构暂无转诊', 'No referrals of the signed care homes'],
    'ref.filledBy': ['填写人：{name}', 'written by {name}'],
    'ref.all': ['全部转诊', 'All referrals'],
    'ref.empty': ['暂无转诊单', 'No referrals'],
    'ref.pick': ['在左侧选择一份转诊单查看详情', 'Choose a referral to see it'],
    'ref.statusFilter': ['状态', 'Status'],
    'ref.anyStatus': ['全部状态', 'Any status'],
    'ref.overdueOnly': ['仅看超时', 'Overdue only'],
    'ref.overdue': ['已超时', 'Overdue'],
    'ref.pending': ['待本单位处理的转诊', 'Referrals waiting for you'],
    'ref.deadline': ['响应时限', 'Deadline'],
    'ref.dueIn': ['{t} 内响应', 'answer within {t}'],
    'ref.overdueBy': ['已超时 {t}', 'overdue by {t}'],
    'ref.up': ['上转', 'Up'],
    'ref.down': ['下转', 'Down'],
    'ref.patient': ['患者信息', 'Patient'],
    'ref.name': ['姓名', 'Name'],
    'ref.sex': ['性别', 'Sex'],
    'ref.age': ['年龄', 'Age'],
    'ref.phone': ['电话', 'Phone'],
    'ref.address': ['住址', 'Address'],
    'ref.idNumber': ['身份证号', 'ID number'],
    'ref.recordNumber': ['档案号', 'Record number'],
    'ref.from': ['转出单位', 'From'],
    'ref.to': ['转入单位', 'To'],
    'ref.sendingDoctor': ['转诊医生', 'Referring doctor'],
    'ref.department': ['科室', 'Department'],
    'ref.receivingDoctor': ['接诊医生', 'Receiving doctor'],
    'ref.reason': ['转诊原因', 'Reason'],
    'ref.diagnosis': ['初步诊断', 'Diagnosis'],
    'ref.summary': ['病情摘要', 'Clinical summary'],
    'ref.triage': ['分诊意见', 'Triage'],
    'ref.appointment': ['预约信息', 'Appointment'],
    'ref.returnSheet': ['回转单', 'Return sheet'],
    'ref.followUp': ['居家随访', 'Follow-up at home'],
    'ref.followUpPlan': ['已生成随访计划', 'Follow-up plan created'],
    'ref.parent': ['对应上转单', 'Up-referral'],
    'ref.timing': ['时限', 'Timing'],
    'ref.created': ['提交时间', 'Submitted'],
    'ref.responded': ['响应时间', 'Answered'],
    'ref.escalation': ['升级次数', 'Escalations'],
    'ref.history': ['办理记录', 'History'],
    'ref.sideReceiver': ['我方为接收方', 'You receive this referral'],
    'ref.sideSender': ['我方为转出方', 'You sent this referral'],
    'ref.sideWatcher': ['我方为关注方', 'You follow this referral'],
    'ref.noActions': ['当前状态无可办理事项', 'Nothing to do in this state'],
    'ref.done': ['已办理：{action}', 'Done: {action}'],
    'ref.people': ['转诊双方', 'Parties'],
    'ref.new': ['新建转诊', 'New referral'],
    'ref.newUp': ['上转至医院', 'Refer up to a hospital'],
    'ref.newDown': ['下转至社区或养老机构', 'Refer down to a clinic or care home'],
    'ref.sent': ['转诊单已提交', 'Referral sent'],
    'ref.noResidents': ['暂无可转诊的居民', 'No residents to refer'],
    'rstatus.submitted': ['待接收', 'Submitted'],
    'rstatus.accepted': ['已接收', 'Accepted'],
    'rstatus.rejected': ['已拒绝', 'Rejected'],
    'rstatus.returned': ['已退回', 'Returned'],
    'rstatus.cancelled': ['已撤销', 'Cancelled'],
    'rstatus.scheduled': ['已预约', 'Scheduled'],
    'rstatus.arrived': ['已到院', 'Arrived'],
    'rstatus.completed': ['已完成', 'Completed'],
    'rstatus.no_show': ['未到诊', 'No-show'],
    'rprio.routine': ['普通', 'Routine'],
    'rprio.urgent': ['紧急', 'Urgent'],
    'rprio.green_channel': ['绿色通道', 'Green channel'],
    'raction.submit': ['提交转诊', 'Submitted'],
    'raction.accept': ['接收', 'Accept'],
    'raction.reject': ['拒绝', 'Reject'],
    'raction.return': ['退回', 'Return'],
    'raction.schedule': ['预约就诊', 'Schedule'],
    'raction.arrive': ['登记到院', 'Arrived'],
    'raction.complete': ['完成并回转', 'Complete'],
    'raction.cancel': ['撤销转诊', 'Cancel'],
    'raction.no_show': ['登记未到诊', 'No-show'],
    'raction.deadline_passed': ['超过响应时限', 'Deadline passed'],
    'raction.escalate': ['超时升级', 'Escalated'],
    'rf.receiving_doctor': ['接诊医生', 'Receiving doctor'],
    'rf.choose': ['请选择', 'Choose'],
    'rf.resident': ['患者', 'Patient'],
    'rf.to': ['转入单位', 'To'],
    'rf.priority': ['优先级', 'Priority'],
    'rf.referralReason': ['转诊原因（主要现病史）', 'Reason (current history)'],
    'rf.sendingDoctor': ['转诊医生', 'Referring doctor'],
    'rf.sendingPhone': ['转诊医生电话', 'Referring doctor\'s phone'],
    'rf.comment': ['说明', 'Comment'],
    'rf.reason_code': ['拒绝原因', 'Reason'],
    'rf.advice': ['退回意见', 'Advice'],
    'rf.appointment_at': ['就诊时间', 'Appointment'],
    'rf.department': ['科室', 'Department'],
    'rf.location': ['地点', 'Location'],
    'rf.reason': ['撤销原因', 'Reason'],
    'rf.diagnosis_code': ['诊断编码（ICD-10）', 'Diagnosis code (ICD-10)'],
    'rf.diagnosis_text': ['诊断', 'Diagnosis'],
    'rf.treatment_given': ['治疗经过', 'Treatment given'],
    'rf.recommendations': ['后续治疗及康复建议', 'Recommendations'],
    'rf.inpatient_record_number': ['住院号', 'Inpatient record number'],
    'rf.main_test_results': ['主要检查结果', 'Main test results'],
    'rf.down': ['下转', 'Down-referral'],
    'rf.downNo': ['暂不下转', 'Not now'],
    'rf.downYes': ['同时下转回 {org}', 'Refer back down to {org} now'],
    'rf.followService': ['居家随访服务（下转时）', 'Follow-up at home (with the down-referral)'],
    'rf.followNone': ['不安排居家随访', 'No follow-up visits'],
    'rf.followPerWeek': ['每周次数', 'Visits a week'],
    'rf.followWeeks': ['持续周数', 'Weeks'],
    'rf.confirmArrive': ['确认患者已到院？', 'Confirm that the patient has arrived?'],
    'rf.confirmNoShow': ['确认患者未按预约到诊？', 'Confirm that the patient did not come?'],
    'reject.outside_scope': ['超出诊疗范围', 'Outside our scope'],
    'reject.no_capacity': ['床位或号源不足', 'No capacity'],
    'reject.incomplete_information': ['资料不全', 'Incomplete information'],
    'reject.manage_at_grassroots': ['建议基层诊治', 'Manage at grassroots level'],
    'reject.other': ['其他（请说明）', 'Other (explain)'],
    'cs.past_history': ['既往史', 'Past history'],
    'cs.treatment_so_far': ['已行治疗', 'Treatment so far'],
    'cs.allergies': ['过敏史', 'Allergies'],
    'cs.treatment_given': ['治疗经过', 'Treatment given'],
    'cs.rehabilitation_advice': ['康复建议', 'Rehabilitation advice'],
    'cs.main_findings': ['主要发现', 'Main findings'],
    'cs.vital_signs': ['生命体征', 'Vital signs'],
    'cs.medications': ['用药', 'Medications'],
    'cs.diagnosis': ['诊断', 'Diagnosis'],
    'cs.recommendations': ['建议', 'Recommendations'],
    'cs.inpatient_record_number': ['住院号', 'Inpatient record number'],
    'cs.main_test_results': ['主要检查结果', 'Main test results'],
    'cs.appointment_at': ['就诊时间', 'Appointment'],
    'cs.department': ['科室', 'Department'],
    'cs.location': ['地点', 'Location'],
    'cs.reason_code': ['原因', 'Reason'],
    'cs.comment': ['说明', 'Comment'],
    'cs.advice': ['意见', 'Advice'],
    'cs.reason': ['原因', 'Reason'],
    'cs.service_type': ['服务项目', 'Service'],
    'cs.visits_per_week': ['每周次数', 'Visits a week'],
    'cs.weeks': ['周数', 'Weeks'],
    'cs.receiving_doctor': ['接诊医生', 'Receiving doctor'],
    'cs.code': ['编码', 'Code'],
    'cs.text': ['诊断', 'Text'],
    'cs.level': ['级别', 'Level'],
    'cs.decision': ['结论', 'Decision'],
    'cs.at': ['时间', 'Time'],
    'cs.escalation_level': ['升级级别', 'Escalation level'],
    'cs.priority': ['优先级', 'Priority'],
    'cs.follow_up': ['居家随访', 'Follow-up'],
    // Report
    'rep.title': ['机构考核报表', 'Unit report'],
    'rep.from': ['开始日期', 'From'],
    'rep.to': ['结束日期', 'To'],
    'rep.run': ['查询', 'Show'],
    'rep.thisMonth': ['本月', 'This month'],
    'rep.lastMonth': ['上月', 'Last month'],
    'rep.last30': ['近 30 天', 'Last 30 days'],
    'rep.csv': ['下载 CSV', 'Download CSV'],
    'rep.csvDone': ['已下载 CSV', 'CSV downloaded'],
    'rep.method': ['评分方法', 'How scores are made'],
    'rep.chart': ['综合得分', 'Scores'],
    'rep.table': ['各单位指标', 'Figures by unit'],
    'rep.rank': ['排名', 'Rank'],
    'rep.unit': ['单位', 'Unit'],
    'rep.kind': ['类型', 'Kind'],
    'rep.score': ['得分', 'Score'],
    'rep.visits': ['上门服务', 'Home visits'],
    'rep.planned': ['计划', 'planned'],
    'rep.doneCol': ['完成', 'done'],
    'rep.onTime': ['准时', 'on time'],
    'rep.missed': ['未上门', 'missed'],
    'rep.referrals': ['转诊', 'Referrals'],
    'rep.sent': ['转出', 'sent'],
    'rep.received': ['接收', 'received'],
    'rep.inTime': ['按时响应', 'in time'],
    'rep.overdue': ['超时', 'overdue'],
    'rep.list': ['榜单', 'List'],
    'rep.red': ['红榜', 'Red list'],
    'rep.black': ['黑榜', 'Black list'],
    'rep.redHint': ['红榜：得分前三名', 'Red list: the best three'],
    'rep.blackHint': ['黑榜：得分后三名', 'Black list: the worst three'],
    'rep.noScores': ['该期间暂无可评分的数据', 'No unit has data to score in this period'],
    'rep.showAll': ['显示无数据单位', 'Show units without data'],
    'rep.noData': ['无数据', 'no data'],
    'rep.period': ['统计期间：{from} 至 {to}', 'Period: {from} to {to}'],
    'kind.clinic': ['社区卫生服务中心', 'Clinic'],
    'kind.care_home': ['养老机构', 'Care home'],
    'kind.hospital': ['医院', 'Hospital'],
    'kind.community': ['社区', 'Community'],
    'kind.authority': ['卫健局', 'Authority'],
    // Events and errors
    'toast.newEvent': ['新事件', 'New event'],
    'ev.visit.booked': ['新预约上门', 'Visit booked'],
    'ev.visit.requested': ['新的待排需求', 'Visit requested'],
    'ev.visit.schedule': ['上门已安排', 'Visit scheduled'],
    'ev.visit.reschedule': ['上门已改约', 'Visit rescheduled'],
    'ev.visit.cancel': ['上门已取消', 'Visit cancelled'],
    'ev.visit.check_in': ['医护已签到', 'Clinician checked in'],
    'ev.visit.check_out': ['医护已签退', 'Clinician checked out'],
    'ev.visit.missed': ['上门未完成', 'Visit missed'],
    'ev.referral.received': ['收到新转诊', 'Referral received'],
    'ev.referral.sent': ['新转诊已发出', 'Referral sent'],
    'ev.referral.deadline_passed': ['转诊超时', 'Referral overdue'],
    'ev.referral': ['转诊状态更新：{s}', 'Referral {s}'],
    'err.network': ['无法连接服务器，请检查网络', 'Cannot reach the server: check the network'],
    'err.visit_conflict': ['该时段已被占用', 'That slot is no longer free'],
    'err.validation_failed': ['填写内容有误', 'Some fields are not valid'],
    'err.invalid_transition': ['当前状态不能进行此操作', 'Not possible in the current state'],
    'err.not_found': ['未找到，或无权查看', 'Not found'],
    'err.forbidden': ['无权进行此操作', 'Not allowed'],
    'err.version_mismatch': ['数据已被他人修改，请刷新后重试', 'Changed by someone else: refresh and retry'],
    'err.no_slot': ['时间窗内没有可安排的时段', 'No free slot in the window'],
    'err.generic': ['操作失败', 'Something went wrong'],
    'field.resident_id': ['居民', 'Resident'],
    'field.service_type': ['服务项目', 'Service'],
    'field.window_start': ['时间窗开始', 'Window start'],
    'field.window_end': ['时间窗结束', 'Window end'],
    'field.from': ['开始', 'From'],
    'field.to': ['结束', 'To'],
    'field.starts_at': ['开始时间', 'Start'],
    'field.clinician_id': ['医护人员', 'Clinician'],
    'field.reason': ['原因', 'Reason'],
    'field.comment': ['说明', 'Comment'],
    'field.reason_code': ['拒绝原因', 'Reason'],
    'field.advice': ['退回意见', 'Advice'],
    'field.appointment_at': ['就诊时间', 'Appointment'],
    'field.department': ['科室', 'Department'],
    'field.location': ['地点', 'Location'],
    'field.treatment_given': ['治疗经过', 'Treatment given'],
    'field.recommendations': ['康复建议', 'Recommendations'],
    'field.diagnosis': ['诊断', 'Diagnosis'],
    'field.diagnosis.text': ['诊断', 'Diagnosis'],
  };

  // English names of the catalogue's service types (the API serves Chinese names only).
  const SERVICE_EN = {
    basic_nursing: 'Basic nursing', blood_pressure_check: 'Blood pressure check',
    catheter_care: 'Catheter care', chronic_disease_follow_up: 'Chronic disease follow-up',
    dementia_care_visit: 'Dementia care visit', health_check: 'Health check',
    home_infusion: 'Home infusion', medication_review: 'Medication review',
    palliative_care_visit: 'Palliative care visit', pressure_ulcer_care: 'Pressure ulcer care',
    rehabilitation_training: 'Rehabilitation training', stroke_rehabilitation: 'Stroke rehabilitation',
    tcm_acupuncture: 'TCM acupuncture', tcm_health_guidance: 'TCM health guidance',
    vaccination_assessment: 'Vaccination assessment', wound_dressing: 'Wound dressing',
  };
  const SKILLS = {
    nursing: ['护理', 'nursing'], wound_care: ['伤口护理', 'wound care'],
    rehabilitation: ['康复', 'rehabilitation'], general_practice: ['全科', 'general practice'],
    tcm: ['中医', 'TCM'],
  };
  const FLAGS = {
    living_alone: ['独居', 'lives alone'], disabled: ['失能', 'disabled'], dementia: ['认知症', 'dementia'],
    empty_nest: ['空巢', 'empty nest'], bedridden: ['卧床', 'bedridden'], low_income: ['低保', 'low income'],
  };

  let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  const L = () => (lang === 'en' ? 1 : 0);

  function t(key, vars) {
    const entry = DICT[key];
    let s = entry ? entry[L()] : key;
    if (vars && typeof s === 'string') {
      for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    }
    return s;
  }
  const tOr = (key, fallback) => (DICT[key] ? t(key) : fallback);

  // ---------------------------------------------------------------------------------------------
  // DOM helpers: h() for HTML, svg() for SVG. Children may be strings, nodes, arrays, null.
  function append(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return el;
  }
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    setProps(el, props);
    return append(el, kids);
  }
  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
    return append(el, kids);
  }
  function setProps(el, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      else if (k === 'data') for (const [dk, dv] of Object.entries(v)) { if (dv !== null && dv !== undefined) el.dataset[dk] = dv; }
      else if (k === 'css') Object.assign(el.style, v); // CSSOM: allowed by style-src 'self'
      else if (['value', 'checked', 'selected', 'disabled', 'hidden', 'required', 'multiple'].includes(k)) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  const $ = (sel, root = document) => root.querySelector(sel);
  // Re-renders in place without losing where the user had scrolled (page, lists, the timeline).
  function keepScroll(box, fn) {
    const y = window.scrollY;
    const top = box.scrollTop;
    const old = box.querySelector('.tl-scroll');
    const left = old ? old.scrollLeft : 0;
    fn();
    box.scrollTop = top;
    const fresh = box.querySelector('.tl-scroll');
    if (fresh) fresh.scrollLeft = left;
    window.scrollTo(window.scrollX, y);
  }
  const clear = (el) => { while (el.firstChild) el.removeChild(el.firstChild); return el; };

  // ---------------------------------------------------------------------------------------------
  // Time: everything is shown in the district's time zone, whatever the browser's.
  const pad = (n) => String(n).padStart(2, '0');
  const shanghai = (ms) => new Date(ms + TZ_MS).toISOString(); // "YYYY-MM-DDTHH:MM..." in +08:00
  const todayDate = () => shanghai(Date.now()).slice(0, 10);
  const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
  const weekdayOf = (date) => new Date(`${date}T00:00:00Z`).getUTCDay();
  const isWeekend = (date) => [0, 6].includes(weekdayOf(date));
  const dayStartMs = (date) => Date.parse(`${date}T00:00:00${TZ_OFFSET}`);
  const rfc = (date, time) => `${date}T${time.length === 5 ? `${time}:00` : time}${TZ_OFFSET}`;
  const hm = (iso) => (iso ? shanghai(Date.parse(iso)).slice(11, 16) : '');
  const dateOf = (iso) => (iso ? shanghai(Date.parse(iso)).slice(0, 10) : '');
  const minuteOf = (iso, date) => (Date.parse(iso) - dayStartMs(date)) / 60000;
  function dateLabel(date) {
    const wd = DICT.weekday[L()][weekdayOf(date)];
    return lang === 'en' ? `${wd} ${date}` : `${date}（${wd}）`;
  }
  function dateTime(iso) {
    if (!iso) return '';
    const s = shanghai(Date.parse(iso));
    return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
  }
  function shortDateTime(iso) {
    if (!iso) return '';
    const s = shanghai(Date.parse(iso));
    return s.slice(0, 10) === todayDate() ? s.slice(11, 16) : `${s.slice(5, 10)} ${s.slice(11, 16)}`;
  }
  function duration(ms) {
    const m = Math.max(1, Math.round(Math.abs(ms) / 60000));
    if (m < 60) return lang === 'en' ? `${m} min` : `${m} 分钟`;
    const hrs = Math.floor(m / 60);
    if (hrs < 48) return lang === 'en' ? `${hrs} h ${m % 60} min` : `${hrs} 小时${m % 60 ? ` ${m % 60} 分` : ''}`;
    return lang === 'en' ? `${Math.floor(hrs / 24)} days` : `${Math.floor(hrs / 24)} 天`;
  }
  function ageOf(birth) {
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
  function normDate(text) {
    const v = String(text || '').trim();
    const m = v.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/) || v.match(/^(\d{4})(\d{2})(\d{2})$/);
    if (!m) return null;
    const d = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
    const ms = Date.parse(`${d}T00:00:00Z`);
    return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== d ? null : d;
  }
  function normTime(text) {
    const m = String(text || '').trim().match(/^(\d{1,2})\s*[:：.时]?\s*(\d{2})\s*分?$/);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
    return `${pad(m[1])}:${m[2]}`;
  }
  const calIcon = () => svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true' },
    svg('rect', { x: 1.5, y: 2.5, width: 13, height: 12, rx: 2, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.3 }),
    svg('path', { d: 'M1.5 6.5h13M5 1v3M11 1v3', stroke: 'currentColor', 'stroke-width': 1.3, fill: 'none' }));

  // A date input: returns its wrapper; `.input` is the text input (its value is the date).
  function dateInput({ onChange, ...props }) {
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
  function timeInput({ onChange, ...props }) {
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

  // ---------------------------------------------------------------------------------------------
  // State
  const S = {
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

  // ---------------------------------------------------------------------------------------------
  // The API client: bearer token, refresh before expiry (and once on a 401), problem+json errors.
  class ApiError extends Error {
    constructor(status, body) {
      super((body && (body.detail || body.title)) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
      this.code = this.body.code || (status === 0 ? 'network' : 'generic');
      this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
    }
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // One session for all of this browser's tabs (localStorage): a tab opened later is signed in, a
  // refresh in one tab serves all, and signing out in one signs out all.
  function storedSession() {
    try { return JSON.parse(localStorage.getItem(SESSION_KEY) || 'null'); } catch (e) { return null; }
  }
  function saveSession(tokens) {
    S.session = {
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      exp: Date.now() + (Number(tokens.expires_in) || 900) * 1000,
    };
    localStorage.setItem(SESSION_KEY, JSON.stringify(S.session));
    scheduleRefresh();
  }
  function userOf(access) {
    try {
      const part = access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part)).sub;
    } catch (e) { return null; }
  }
  // Another tab changed the session: take its tokens, follow its sign-out, or start again when
  // someone else signed in there.
  window.addEventListener('storage', (e) => {
    if (e.key !== SESSION_KEY && e.key !== null) return;
    const stored = storedSession();
    if (!stored) {
      if (S.session) endSession('login.elsewhere');
      return;
    }
    if (S.me && userOf(stored.access) !== S.me.id) { location.reload(); return; }
    S.session = stored;
    scheduleRefresh();
    if (!S.me) start().catch(() => endSession('login.expired'));
  });

  let refreshTimer = null;
  let refreshing = null;
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    if (!S.session) return;
    const wait = Math.max(5000, S.session.exp - Date.now() - 60000);
    refreshTimer = setTimeout(() => { refreshTokens().catch(() => {}); }, wait);
  }
  function refreshTokens() {
    if (refreshing) return refreshing;
    const current = S.session;
    if (!current) return Promise.reject(new ApiError(401, {}));
    // Tabs refresh one at a time (a lock shared by the tabs, where the browser has one); a tab that
    // waited finds the new tokens already stored and takes them instead of spending its old one.
    const run = async () => {
      const stored = storedSession();
      if (!stored) {
        endSession('login.elsewhere');
        throw new ApiError(401, {});
      }
      if (stored.refresh !== current.refresh && stored.exp - Date.now() > 30000) {
        S.session = stored;
        scheduleRefresh();
        return;
      }
      let res;
      try {
        res = await fetch(`${API}/auth/refresh`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refresh_token: stored.refresh }),
        });
      } catch (e) {
        scheduleRetryRefresh();
        throw new ApiError(0, {});
      }
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        if (res.status === 401 || res.status === 400 || res.status === 403) endSession('login.expired');
        throw new ApiError(res.status, body);
      }
      saveSession(await res.json());
    };
    const locked = navigator.locks ? navigator.locks.request('carelink.refresh', run) : run();
    refreshing = locked.finally(() => { refreshing = null; });
    return refreshing;
  }
  function scheduleRetryRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => { refreshTokens().catch(() => {}); }, 15000);
  }

  async function api(path, opts = {}) {
    const { method = 'GET', body, raw = false, key } = opts;
    if (S.session && S.session.exp - Date.now() < 30000) {
      await refreshTokens().catch(() => {});
    }
    const idem = method === 'POST' ? key || newKey() : null;
    const send = () => {
      const headers = { Accept: raw ? '*/*' : 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (S.session) headers.Authorization = `Bearer ${S.session.access}`;
      if (idem) headers['Idempotency-Key'] = idem;
      return fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    let res;
    try {
      res = await send();
      if (res.status === 401 && S.session && !opts.noRefresh) {
        await refreshTokens();
        res = await send();
      }
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(0, {});
    }
    if (!res.ok) {
      const ct = res.headers.get('Content-Type') || '';
      const data = ct.includes('json') ? await res.json().catch(() => ({})) : {};
      if (res.status === 401 && !opts.noRefresh) endSession('login.expired');
      throw new ApiError(res.status, data);
    }
    if (raw) return res;
    if (res.status === 204) return null;
    return res.json();
  }

  // Every page of a list.
  async function all(path) {
    const out = [];
    let cursor = null;
    for (let i = 0; i < 50; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const page = await api(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...(page.items || []));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    return out;
  }
  const q = (params) => Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

  function markOwn(id) { if (id) S.own.set(id, Date.now()); }

  // ---------------------------------------------------------------------------------------------
  // Names
  const orgName = (id) => (S.orgs.get(id) || {}).name || '—';
  // A clinician may see colleagues' visits but not their staff records (the API answers 404).
  const staffName = (id) => (S.staff.get(id) || {}).display_name || (id ? `${t('day.colleague')} ·${id.slice(-4)}` : '—');
  const resident = (id) => S.residents.get(id);
  const residentName = (id) => (resident(id) || {}).name || (id ? `#${id.slice(-6)}` : '—');
  function serviceName(code) {
    const s = S.services.get(code);
    if (lang === 'en') return SERVICE_EN[code] || (s && s.name) || code;
    return (s && s.name) || code;
  }
  const skillName = (k) => (SKILLS[k] ? SKILLS[k][L()] : k);
  const flagName = (k) => (FLAGS[k] ? FLAGS[k][L()] : k);
  const roleName = (r) => tOr(`role.${r}`, r);
  // Booking, scheduling and cancelling visits is the scheduler's (and the authority's); a clinician
  // may look up free slots but the API refuses the rest (403), so the console does not offer it.
  const canBook = () => S.me && ['scheduler', 'admin'].includes(S.me.role);

  async function ensureResidents(ids) {
    const missing = [...new Set(ids.filter((id) => id && !S.residents.has(id)))];
    await Promise.all(missing.map(async (id) => {
      try { S.residents.set(id, await api(`/residents/${id}`)); } catch (e) { /* not visible: keep the id */ }
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // Shared widgets
  function toast(text, kind = 'info', sub = null) {
    const box = $('#toasts');
    const el = h('div', { class: ['toast', `toast-${kind}`], role: 'status' },
      h('strong', { text }), sub ? h('span', { class: 'toast-sub', text: sub }) : null);
    box.append(el);
    setTimeout(() => el.classList.add('toast-out'), 4200);
    setTimeout(() => el.remove(), 4700);
  }

  // A problem+json answer, readable: what went wrong, the server's detail, each field's message.
  function problemBox(err, fieldLabels = {}) {
    const e = err instanceof ApiError ? err : new ApiError(0, { detail: String(err && err.message) });
    const head = DICT[`err.${e.code}`] ? t(`err.${e.code}`) : (e.body.title || t('err.generic'));
    return h('div', { class: 'problem', role: 'alert', data: { code: e.code } },
      h('strong', { class: 'problem-title', text: head }),
      e.body.detail ? h('div', { class: 'problem-detail', text: e.body.detail }) : null,
      e.errors.length ? h('ul', { class: 'problem-fields' }, e.errors.map((f) => h('li', { data: { field: f.field } },
        h('b', { text: fieldLabels[f.field] || tOr(`field.${f.field}`, f.field) }), ' ', f.message))) : null,
      e.code && e.code !== 'generic' && e.code !== 'network' ? h('small', { class: 'problem-code', text: e.code }) : null);
  }

  function badge(text, cls) { return h('span', { class: ['badge', cls], text }); }
  function vStatusChip(s) { return h('span', { class: ['chip', `vs-${s}`], text: tOr(`vstatus.${s}`, s) }); }
  function rStatusChip(s) { return h('span', { class: ['chip', `rs-${s}`], data: { status: s }, text: tOr(`rstatus.${s}`, s) }); }
  function rPrioBadge(p) { return badge(tOr(`rprio.${p}`, p), `rp-${p}`); }

  // A modal dialog. content: node; actions: [{label, cls, onClick(dialog) -> Promise|void}].
  function openDialog({ title, content, actions = [], wide = false }) {
    const err = h('div', { class: 'dialog-error' });
    const dlg = h('dialog', { class: ['dialog', wide && 'dialog-wide'] });
    const close = () => { dlg.close(); dlg.remove(); };
    const buttons = actions.map((a) => h('button', {
      type: 'button', class: ['btn', a.cls || 'btn-secondary'], data: { role: a.role || null },
      on: {
        click: async (ev) => {
          if (!a.onClick) { close(); return; }
          const btn = ev.currentTarget;
          btn.disabled = true;
          clear(err);
          try {
            const r = await a.onClick(dlg);
            if (r !== false) close();
          } catch (e) {
            err.append(problemBox(e, a.fieldLabels || {}));
          } finally { btn.disabled = false; }
        },
      },
    }, a.label));
    append(dlg, [
      h('div', { class: 'dialog-head' }, h('h2', { text: title }),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('common.close'), on: { click: close } }, '×')),
      h('div', { class: 'dialog-body' }, content, err),
      buttons.length ? h('div', { class: 'dialog-actions' }, buttons) : null,
    ]);
    dlg.addEventListener('cancel', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    return { dlg, close, err };
  }

  // A small form inside a dialog. fields: [{name, label, type, required, options, value}].
  function formDialog({ title, intro, fields, submit, onSubmit, danger = false }) {
    const inputs = {};
    const labels = {};
    const rows = fields.map((f) => {
      let input;
      labels[f.name] = f.label;
      if (f.type === 'select') {
        input = h('select', { name: f.name, required: f.required }, f.options.map(([v, l]) => h('option', { value: v, text: l })));
        if (f.value) input.value = f.value;
      } else if (f.type === 'textarea') {
        input = h('textarea', { name: f.name, rows: f.rows || 3, required: f.required, value: f.value || '' });
      } else if (f.type === 'datetime') {
        // Date and 24-hour time side by side; the value reads as YYYY-MM-DDTHH:mm (empty if either is wrong).
        const [d, tm] = (f.value || 'T').split('T');
        const dateW = dateInput({ name: `${f.name}.date`, value: d, required: f.required, 'aria-label': `${f.label} · ${t('common.date')}` });
        const timeW = timeInput({ name: `${f.name}.time`, value: tm.slice(0, 5), required: f.required, 'aria-label': `${f.label} · ${t('visit.time')}` });
        const both = h('span', { class: 'datetime-field' }, dateW, timeW);
        inputs[f.name] = {
          get value() { const a = normDate(dateW.input.value); const b = normTime(timeW.value); return a && b ? `${a}T${b}` : ''; },
          focus: () => (normDate(dateW.input.value) ? timeW : dateW.input).focus(),
        };
        return h('div', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), both);
      } else if (f.type === 'date') {
        const w = dateInput({ name: f.name, value: f.value || '', required: f.required });
        inputs[f.name] = w.input;
        return h('label', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), w);
      } else if (f.type === 'time') {
        input = timeInput({ name: f.name, value: f.value || '', required: f.required });
      } else {
        input = h('input', { name: f.name, type: f.type || 'text', required: f.required, value: f.value || '' });
      }
      inputs[f.name] = input;
      return h('label', { class: 'field' }, h('span', { class: 'field-label' }, f.label, f.required ? h('em', { text: ' *' }) : null), input);
    });
    const form = h('form', { class: 'form-grid', on: { submit: (e) => e.preventDefault() } }, rows);
    const dlg = openDialog({
      title,
      content: [intro ? h('p', { class: 'dialog-intro', text: intro }) : null, form],
      actions: [
        { label: t('common.cancel') },
        {
          label: submit, cls: danger ? 'btn-danger' : 'btn-primary', role: 'confirm', fieldLabels: labels,
          onClick: async () => {
            const values = {};
            for (const [k, el] of Object.entries(inputs)) values[k] = el.value.trim();
            for (const f of fields) {
              if (f.required && !values[f.name]) {
                inputs[f.name].focus();
                throw new ApiError(422, { code: 'validation_failed', errors: [{ field: f.name, message: t('common.required') }] });
              }
            }
            return onSubmit(values);
          },
        },
      ],
    });
    // An answer about the fields goes stale as soon as the user changes one.
    form.addEventListener('input', () => clear(dlg.err));
    return dlg;
  }

  function kv(pairs) {
    const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && !v.length));
    if (!rows.length) return null;
    return h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v instanceof Node ? v : String(v))]));
  }
  // An object of free-form fields (clinical summary, triage, return sheet), with known labels.
  const HIDDEN_KEYS = new Set(['by', 'actor_id', 'user_id', 'version']);
  function plainValue(k, v) {
    if (v === null || v === undefined || v === '') return null;
    if (Array.isArray(v)) return v.map((x) => plainValue(k, x)).filter(Boolean).join('、');
    if (typeof v === 'object') {
      if ('text' in v && Object.keys(v).every((x) => ['text', 'code'].includes(x))) return v.code ? `${v.text}（${v.code}）` : v.text;
      return Object.entries(v).filter(([a, x]) => !HIDDEN_KEYS.has(a) && plainValue(a, x) !== null)
        .map(([a, x]) => `${tOr(`cs.${a}`, a)}：${plainValue(a, x)}`).join('；');
    }
    if (k === 'reason_code') return tOr(`reject.${v}`, v);
    if (k === 'decision' || k === 'status') return tOr(`rstatus.${v}`, v);
    if (k === 'service_type') return serviceName(v);
    if ((k === 'at' || /_at$/.test(k)) && typeof v === 'string') return dateTime(v);
    if (typeof v === 'boolean') return v ? '✓' : '✗';
    return String(v);
  }
  function objectKv(obj) {
    if (!obj || typeof obj !== 'object') return obj ? h('p', { class: 'prose', text: String(obj) }) : null;
    const pairs = Object.entries(obj)
      .filter(([k]) => !HIDDEN_KEYS.has(k) && !/_id$/.test(k))
      .map(([k, v]) => [tOr(`cs.${k}`, k), plainValue(k, v)]);
    return kv(pairs);
  }

  function card(title, extra, ...body) {
    return h('section', { class: 'card' },
      title ? h('header', { class: 'card-head' }, h('h2', { text: title }), extra || null) : null,
      ...body);
  }

  // ---------------------------------------------------------------------------------------------
  // Layout: header with the screens of the role, then the screen.
  function viewsFor(role) {
    switch (role) {
      case 'scheduler':
      case 'clinician': return ['day', 'book', 'referrals', 'report'];
      case 'hospital':
      case 'care_home': return ['referrals', 'report'];
      case 'admin': return ['referrals', 'report'];
      default: return [];
    }
  }

  function renderShell() {
    const app = clear($('#app'));
    const me = S.me;
    const views = viewsFor(me.role);
    const org = S.orgs.get(me.organization_id);
    const nav = h('nav', { class: 'nav', 'aria-label': 'main' }, views.map((v) => h('a', {
      href: `#${v}`, class: ['nav-link', S.view === v && 'active'], data: { view: v },
    }, h('span', { class: 'nav-label', text: t(`nav.${v}`) }), v === 'referrals' ? h('span', { class: 'nav-count', title: t('ref.pending') }) : null)));
    const liveDot = h('span', { id: 'live', class: ['live', S.live ? 'live-on' : 'live-off'], title: t(S.live ? 'live.title.on' : 'live.title.off') },
      h('i'), t(S.live ? 'live.on' : 'live.off'));
    app.append(
      h('header', { class: 'topbar' },
        h('div', { class: 'brand' },
          h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✚'),
          h('div', {}, h('div', { class: 'brand-name', text: t('app.title') }),
            h('div', { class: 'brand-org', text: org ? `${org.name}` : t('app.subtitle') }))),
        nav,
        h('div', { class: 'userbox' },
          liveDot,
          h('span', { class: 'user-name' }, me.display_name, h('small', { text: roleName(me.role) })),
          h('button', { id: 'lang-toggle', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: toggleLang } }, t('lang.switch')),
          h('button', { id: 'logout', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: logout } }, t('logout')))),
      h('main', { id: 'main', class: 'main' }));
    if (!views.length) $('#main').append(card(null, null, h('p', { class: 'empty', text: t('login.residentNo') })));
    paintPending();
  }

  // Referrals waiting for this desk (received, with an action open to it): a count on the menu.
  async function refreshPending() {
    if (!S.me || S.me.role === 'admin' || !viewsFor(S.me.role).includes('referrals')) return;
    try {
      const items = await all('/referrals?box=inbox');
      S.pending = items.filter((r) => actionsFor(r).some((a) => a !== 'no_show')).length;
      paintPending();
    } catch (e) { /* the count is a hint only */ }
  }
  function paintPending() {
    const text = S.pending ? String(S.pending) : '';
    for (const el of document.querySelectorAll('.nav-count, [data-count-for="inbox"]')) el.textContent = text;
  }

  function setLive(on) {
    S.live = on;
    const el = $('#live');
    if (!el) return;
    el.className = `live ${on ? 'live-on' : 'live-off'}`;
    el.title = t(on ? 'live.title.on' : 'live.title.off');
    el.lastChild.textContent = t(on ? 'live.on' : 'live.off');
  }

  function toggleLang() {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, lang);
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `carelink ${t('app.title')}`;
    if (S.me) route(true); else renderLogin();
  }

  function route(force = false) {
    if (!S.me) return;
    const views = viewsFor(S.me.role);
    let v = (location.hash || '').replace(/^#\/?/, '').split('?')[0];
    if (!views.includes(v)) v = views[0];
    const changed = S.view !== v;
    S.view = v;
    if (changed || force || !$('#main')) renderShell();
    else for (const a of document.querySelectorAll('.nav-link')) a.classList.toggle('active', a.dataset.view === v);
    if (!v) return;
    const main = $('#main');
    if (!changed && !force && main.dataset.view === v) return;
    clear(main);
    main.dataset.view = v;
    ({ day: viewDay, book: viewBook, referrals: viewReferrals, report: viewReport })[v](main);
  }

  // ---------------------------------------------------------------------------------------------
  // Login and session
  function renderLogin(messageKey) {
    const app = clear($('#app'));
    const err = h('div', { class: 'login-error', role: 'alert' }, messageKey ? t(messageKey) : null);
    const user = h('input', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
    const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
    const form = h('form', {
      class: 'login-form',
      on: {
        submit: async (e) => {
          e.preventDefault();
          clear(err);
          btn.disabled = true;
          btn.textContent = t('login.busy');
          try {
            const res = await fetch(`${API}/auth/token`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
              body: JSON.stringify({ username: user.value.trim(), password: pass.value }),
            });
            const body = await res.json().catch(() => ({}));
            if (!res.ok) {
              const locked = body.code === 'account_locked' || res.status === 423 || res.status === 429;
              err.append(locked ? t('login.locked') : (res.status === 401 || res.status === 400 || res.status === 422 ? t('login.failed') : problemBox(new ApiError(res.status, body))));
              return;
            }
            saveSession(body);
            await start();
          } catch (ex) {
            err.append(problemBox(ex));
          } finally {
            btn.disabled = false;
            btn.textContent = t('login.submit');
          }
        },
      },
    },
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: t('login.username') }), user),
    h('label', { class: 'field' }, h('span', { class: 'field-label', text: t('login.password') }), pass),
    err, btn);
    const hint = demoHint((username, password) => {
      user.value = username;
      pass.value = password;
      clear(err);
      btn.focus();
    });
    app.append(h('div', { class: 'login-wrap' },
      h('div', { class: 'login-card' },
        h('div', { class: 'login-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '✚'),
          h('div', {}, h('h1', { text: t('app.title') }), h('p', { text: t('app.subtitle') }))),
        h('h2', { class: 'login-title', text: t('login.title') }),
        form,
        hint,
        h('div', { class: 'login-foot' },
          h('button', { id: 'lang-toggle', type: 'button', class: 'btn btn-ghost btn-sm', on: { click: toggleLang } }, t('lang.switch'))))));
    user.focus();
  }

  // The demo logins, when the server says its database holds the demo data (GET /demo answers
  // {demo: false} otherwise, and always in production). Clicking one fills the form.
  let demoInfo = null;
  function demoHint(fill) {
    const box = h('section', { id: 'demo-hint', class: 'demo-hint', hidden: true, 'aria-label': t('demo.title') });
    const paint = (d) => {
      const staff = (d.logins || []).filter((l) => l.role !== 'resident');
      if (!d.demo || !staff.length) return;
      append(box, [
        h('h3', { class: 'demo-title', text: t('demo.title') }),
        h('p', { class: 'demo-intro' }, `${t('demo.intro')} `, h('code', { text: d.password })),
        h('ul', { class: 'demo-logins' }, staff.map((l) => h('li', {},
          h('button', {
            type: 'button', class: 'demo-login', data: { username: l.username },
            title: [l.display_name, l.organization_name].filter(Boolean).join(' · '),
            on: { click: () => fill(l.username, d.password) },
          },
          h('code', { class: 'demo-user', text: l.username }),
          h('span', { class: 'demo-who', text: `${roleName(l.role)} · ${l.organization_code || ''}` }))))),
      ]);
      box.hidden = false;
    };
    if (demoInfo) paint(demoInfo);
    else {
      fetch(`${API}/demo`, { headers: { Accept: 'application/json' } })
        .then((r) => (r.ok ? r.json() : null))
        .then((d) => { if (d) { demoInfo = d; if (box.isConnected) paint(d); } })
        .catch(() => { /* a hint only */ });
    }
    return box;
  }

  function endSession(messageKey) {
    clearTimeout(refreshTimer);
    stopEvents();
    S.session = null;
    S.me = null;
    S.view = null;
    if (messageKey !== 'login.elsewhere') localStorage.removeItem(SESSION_KEY);
    for (const d of document.querySelectorAll('dialog')) d.remove();
    renderLogin(messageKey);
  }

  async function logout() {
    try { await api('/auth/logout', { method: 'POST', noRefresh: true }); } catch (e) { /* signed out anyway */ }
    endSession();
  }

  async function start() {
    clear($('#app')).append(h('p', { class: 'boot', text: t('common.loading') }));
    S.me = await api('/me');
    const [orgs, services] = await Promise.all([all('/organizations'), api('/service-types')]);
    S.orgs = new Map(orgs.map((o) => [o.id, o]));
    S.services = new Map((services.items || []).map((s) => [s.code, s]));
    if (['scheduler', 'clinician'].includes(S.me.role)) {
      const [staff, residents] = await Promise.all([
        all(`/staff?${q({ role: 'clinician', organization_id: S.me.organization_id })}`),
        all('/residents'),
      ]);
      S.staff = new Map(staff.map((s) => [s.id, s]));
      S.clinicians = staff.filter((s) => s.active !== false && s.organization_id === S.me.organization_id)
        .sort((a, b) => a.display_name.localeCompare(b.display_name, 'zh-CN'));
      S.residents = new Map(residents.map((r) => [r.id, r]));
    }
    S.view = null;
    S.pending = 0;
    route(true);
    startEvents();
    refreshPending();
  }

  // ---------------------------------------------------------------------------------------------
  // Live updates (Server-Sent Events). EventSource cannot send headers: the token goes in the query.
  let esRetry = null;
  function startEvents() {
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
  function stopEvents() {
    clearTimeout(esRetry);
    if (S.es) { S.es.close(); S.es = null; }
    setLive(false);
  }

  const pending = {};
  function soon(name, fn, ms = 250) {
    clearTimeout(pending[name]);
    pending[name] = setTimeout(fn, ms);
  }

  function onEvent(ev) {
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

  // ---------------------------------------------------------------------------------------------
  // The day: a timeline per clinician, the pool and the location exceptions.
  function defaultDate() { return addDays(todayDate(), 1); }

  function dateNav(date, onChange) {
    const input = dateInput({ id: 'day-date', value: date, 'aria-label': t('common.date'), onChange });
    return h('div', { class: 'datenav' },
      h('button', { type: 'button', class: 'btn btn-secondary btn-icon', title: t('common.prevDay'), 'aria-label': t('common.prevDay'), on: { click: () => onChange(addDays(date, -1)) } }, '‹'),
      input,
      h('button', { type: 'button', class: 'btn btn-secondary btn-icon', title: t('common.nextDay'), 'aria-label': t('common.nextDay'), on: { click: () => onChange(addDays(date, 1)) } }, '›'),
      h('span', { class: 'datenav-label', text: dateLabel(date) }),
      h('button', { type: 'button', class: ['btn', 'btn-ghost', 'btn-sm', date === todayDate() && 'is-current'], on: { click: () => onChange(todayDate()) } }, t('common.today')),
      h('button', { type: 'button', class: ['btn', 'btn-ghost', 'btn-sm', date === addDays(todayDate(), 1) && 'is-current'], on: { click: () => onChange(addDays(todayDate(), 1)) } }, t('common.tomorrow')));
  }

  async function loadDay(date) {
    const [visits, shifts] = await Promise.all([
      all(`/visits?${q({ date })}`),
      all(`/shifts?${q({ from: date, to: date })}`),
    ]);
    await ensureResidents(visits.map((v) => v.resident_id));
    return { date, visits, shifts };
  }

  const pct = (min) => `${(Math.min(Math.max(min, AXIS_START), AXIS_END) - AXIS_START) / (AXIS_END - AXIS_START) * 100}%`;
  const span = (a, b) => `${(Math.min(Math.max(b, AXIS_START), AXIS_END) - Math.min(Math.max(a, AXIS_START), AXIS_END)) / (AXIS_END - AXIS_START) * 100}%`;

  // The timeline of one day: rows of clinicians, visits as blocks placed by time.
  function timeline({ date, visits, shifts }, opts = {}) {
    const hours = [];
    for (let m = AXIS_START; m <= AXIS_END; m += 60) {
      hours.push(h('span', { class: 'tl-hour', css: { left: pct(m) }, text: `${pad(m / 60)}:00` }));
    }
    const live = visits.filter((v) => v.clinician_id && v.starts_at && v.status !== 'cancelled');
    const fresh = S.fresh && Date.now() - S.fresh.at < 5000 ? S.fresh.id : null; // just booked: pulse once
    const rows = [...S.clinicians];
    for (const v of live) {
      if (!rows.some((c) => c.id === v.clinician_id)) rows.push({ id: v.clinician_id, display_name: staffName(v.clinician_id), skills: [] });
    }
    const now = Date.now();
    const nowMin = (now - dayStartMs(date)) / 60000;
    const body = rows.map((c) => {
      const track = h('div', { class: 'tl-track' });
      const own = shifts.filter((s) => s.clinician_id === c.id);
      for (const s of own) {
        const a = minuteOf(s.starts_at, date);
        const b = minuteOf(s.ends_at, date);
        if (b <= AXIS_START || a >= AXIS_END) continue;
        track.append(h('div', { class: 'tl-shift', css: { left: pct(a), width: span(a, b) }, title: `${hm(s.starts_at)}–${hm(s.ends_at)}` }));
      }
      if (!own.length) track.append(h('div', { class: 'tl-noshift', text: t('day.offShift') }));
      track.append(h('div', { class: 'tl-grid', 'aria-hidden': 'true' }));
      for (const v of live.filter((x) => x.clinician_id === c.id)) {
        const a = minuteOf(v.starts_at, date);
        const b = minuteOf(v.ends_at, date);
        if (v.travel_minutes_before > 0 && a - v.travel_minutes_before < AXIS_END) {
          track.append(h('div', { class: 'tl-travel', css: { left: pct(a - v.travel_minutes_before), width: span(a - v.travel_minutes_before, a) }, title: `${t('day.travel')} ${t('common.minutes', { n: v.travel_minutes_before })}` }));
        }
        const r = resident(v.resident_id);
        const flags = r && r.priority_flags && r.priority_flags.length ? `（${r.priority_flags.map(flagName).join('、')}）` : '';
        const label = `${residentName(v.resident_id)}${flags} · ${serviceName(v.service_type)} · ${hm(v.starts_at)}–${hm(v.ends_at)} · ${tOr(`vstatus.${v.status}`, v.status)}${v.priority === 'urgent' ? ` · ${t('vprio.urgent')}` : ''}`;
        track.append(h('button', {
          type: 'button',
          class: ['tl-block', `vs-${v.status}`, v.priority === 'urgent' && 'is-urgent', v.location_exception && 'is-exception', fresh === v.id && 'is-new'],
          css: { left: pct(a), width: span(a, b) },
          data: { visitId: v.id, clinicianId: v.clinician_id },
          title: label,
          'aria-label': label,
          on: { click: () => visitDialog(v) },
        },
        h('span', { class: 'tl-res', text: residentName(v.resident_id) }),
        h('span', { class: 'tl-svc', text: serviceName(v.service_type) })));
      }
      if (opts.ghost && opts.ghost.clinician_id === c.id) {
        const a = minuteOf(opts.ghost.starts_at, date);
        const b = minuteOf(opts.ghost.ends_at, date);
        track.append(h('div', { class: 'tl-ghost', css: { left: pct(a), width: span(a, b) } }, `${hm(opts.ghost.starts_at)}–${hm(opts.ghost.ends_at)}`));
      }
      if (nowMin > AXIS_START && nowMin < AXIS_END) track.append(h('div', { class: 'tl-now', css: { left: pct(nowMin) } }));
      const count = live.filter((x) => x.clinician_id === c.id).length;
      return h('div', { class: 'tl-row', data: { clinicianId: c.id } },
        h('div', { class: 'tl-name' },
          h('strong', {}, c.display_name, count ? h('span', { class: 'tl-count', title: t('day.summary', { n: count }), text: String(count) }) : null),
          h('small', { text: (c.skills || []).map(skillName).join(' · ') })),
        track);
    });
    if (!rows.length) body.push(h('p', { class: 'empty', text: t('day.noClinicians') }));
    return h('div', { class: 'tl-scroll' }, h('div', { class: 'timeline', data: { date } },
      h('div', { class: 'tl-row tl-head' }, h('div', { class: 'tl-name' }), h('div', { class: 'tl-axis' }, hours)),
      body));
  }

  function legend() {
    return h('div', { class: 'legend', 'aria-label': t('day.legend') },
      ['scheduled', 'in_progress', 'completed', 'missed'].map((s) => h('span', { class: 'legend-item' }, h('i', { class: ['legend-swatch', `vs-${s}`] }), t(`vstatus.${s}`))),
      h('span', { class: 'legend-item' }, h('i', { class: 'legend-swatch legend-travel' }), t('day.travelLegend')),
      h('span', { class: 'legend-item' }, h('i', { class: 'legend-swatch legend-urgent' }), t('vprio.urgent')));
  }

  function viewDay(main) {
    if (!S.day.date) S.day.date = defaultDate();
    const setDate = (d) => { S.day.date = d; clear(main); viewDay(main); };
    const tlBox = h('div', { id: 'timeline-box', class: 'tl-box' }, h('p', { class: 'empty', text: t('common.loading') }));
    const poolBox = h('div', { id: 'pool' }, h('p', { class: 'empty', text: t('common.loading') }));
    const excBox = h('div', { id: 'exceptions' }, h('p', { class: 'empty', text: t('common.loading') }));
    const summary = h('span', { id: 'day-summary', class: 'muted' });
    main.append(
      h('div', { class: 'toolbar' },
        h('h1', { class: 'page-title', text: t('day.title') }),
        dateNav(S.day.date, setDate),
        h('div', { class: 'toolbar-end' },
          summary,
          canBook() ? h('a', { href: '#book', class: 'btn btn-primary', on: { click: () => { S.book.date = S.day.date; } } }, `＋ ${t('day.newVisit')}`) : null)),
      card(t('day.timeline'), legend(), tlBox),
      h('div', { class: 'grid-2' },
        card(t('day.pool'), h('span', { class: 'muted small', text: t('day.poolHint') }), poolBox),
        card(t('day.exceptions'), h('span', { class: 'muted small', text: t('day.exceptionsHint') }), excBox)));
    refreshDay();
  }

  async function refreshDay() {
    const date = S.day.date;
    const box = $('#timeline-box');
    if (!box) return;
    try {
      const [data, pool, exceptions] = await Promise.all([
        loadDay(date), all('/visits/pool'), all('/visits?location_exception=true'),
      ]);
      await ensureResidents([...pool, ...exceptions].map((v) => v.resident_id));
      if (S.view !== 'day' || S.day.date !== date || !$('#timeline-box')) return;
      S.day.data = data;
      keepScroll(box, () => append(clear(box), [isWeekend(date) && !data.shifts.length ? h('p', { class: 'notice', text: t('day.weekend') }) : null, timeline(data)]));
      const n = data.visits.filter((v) => v.status !== 'cancelled' && v.clinician_id).length;
      $('#day-summary').textContent = t('day.summary', { n });
      renderPool(clear($('#pool')), pool);
      renderExceptions(clear($('#exceptions')), exceptions);
    } catch (e) {
      clear(box).append(problemBox(e));
    }
  }

  function residentLine(id) {
    const r = resident(id);
    const flags = r && r.priority_flags ? r.priority_flags : [];
    return h('span', { class: 'res-line' },
      h('strong', { text: residentName(id) }),
      r && r.birth_date ? h('span', { class: 'muted', text: ` ${t(`sex.${r.sex}`) !== `sex.${r.sex}` ? t(`sex.${r.sex}`) : ''} ${t('common.years', { n: ageOf(r.birth_date) })}` }) : null,
      flags.map((f) => badge(flagName(f), 'flag')));
  }

  function renderPool(box, pool) {
    if (!pool.length) { box.append(h('p', { class: 'empty', text: t('day.poolEmpty') })); return; }
    box.append(h('ul', { class: 'list' }, pool.map((v) => h('li', { class: 'list-item pool-item', data: { visitId: v.id } },
      h('div', { class: 'list-main' },
        h('div', {}, v.priority === 'urgent' ? badge(t('vprio.urgent'), 'urgent') : null, residentLine(v.resident_id)),
        h('div', { class: 'muted small' }, `${serviceName(v.service_type)} · ${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}`),
        v.unplaced_reason ? h('div', { class: 'small warn-text', text: v.unplaced_reason }) : null),
      canBook() ? h('div', { class: 'list-actions' },
        h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: () => scheduleDialog(v) } }, t('day.schedule')),
        h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => cancelVisitDialog(v) } }, t('common.cancel'))) : null))));
  }

  function renderExceptions(box, list) {
    if (!list.length) { box.append(h('p', { class: 'empty', text: t('day.exceptionsEmpty') })); return; }
    box.append(h('ul', { class: 'list' }, list.map((v) => h('li', { class: 'list-item', data: { visitId: v.id } },
      h('div', { class: 'list-main' },
        h('div', {}, badge('⚠', 'exception'), ' ', residentLine(v.resident_id)),
        h('div', { class: 'muted small' }, `${dateOf(v.starts_at)} ${hm(v.starts_at)} · ${serviceName(v.service_type)} · ${staffName(v.clinician_id)}`),
        h('div', { class: 'small warn-text' }, [
          v.check_in_distance_m !== null && v.check_in_distance_m !== undefined ? t('day.checkIn', { m: Math.round(v.check_in_distance_m) }) : null,
          v.check_out_distance_m !== null && v.check_out_distance_m !== undefined ? t('day.checkOut', { m: Math.round(v.check_out_distance_m) }) : null,
        ].filter(Boolean).join(' · '))),
      h('div', { class: 'list-actions' }, vStatusChip(v.status))))));
  }

  function visitDialog(v) {
    const r = resident(v.resident_id) || {};
    const content = kv([
      [t('visit.resident'), residentLine(v.resident_id)],
      [t('visit.address'), r.address],
      [t('visit.phone'), r.phone],
      [t('visit.service'), serviceName(v.service_type)],
      [t('visit.time'), v.starts_at ? `${dateLabel(dateOf(v.starts_at))} ${hm(v.starts_at)}–${hm(v.ends_at)}` : `${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}`],
      [t('visit.clinician'), v.clinician_id ? staffName(v.clinician_id) : null],
      [t('visit.status'), vStatusChip(v.status)],
      [t('visit.priority'), tOr(`vprio.${v.priority}`, v.priority)],
      [t('visit.travel'), v.travel_minutes_before !== null && v.travel_minutes_before !== undefined ? t('common.minutes', { n: v.travel_minutes_before }) : null],
      [t('visit.notes'), v.notes],
    ]);
    const actions = [{ label: t('common.close') }];
    if (canBook() && ['requested', 'scheduled'].includes(v.status)) {
      actions.unshift({ label: t('visit.cancel'), cls: 'btn-danger-ghost', onClick: () => { setTimeout(() => cancelVisitDialog(v), 0); } });
    }
    if (canBook() && v.status === 'scheduled') {
      actions.splice(1, 0, { label: t('visit.reschedule'), cls: 'btn-secondary', role: 'reschedule', onClick: () => { setTimeout(() => scheduleDialog(v, true), 0); } });
    }
    openDialog({ title: t('visit.title'), content, actions });
  }

  function cancelVisitDialog(v) {
    formDialog({
      title: `${t('visit.cancel')} · ${residentName(v.resident_id)}`,
      fields: [{ name: 'reason', label: t('visit.cancelReason'), type: 'textarea', required: true, rows: 2 }],
      submit: t('visit.cancel'),
      danger: true,
      onSubmit: async ({ reason }) => {
        markOwn(v.id);
        await api(`/visits/${v.id}/cancel`, { method: 'POST', body: { reason } });
        toast(t('visit.cancelled'), 'ok', residentName(v.resident_id));
        refreshCurrent();
      },
    });
  }

  // A pool visit (or, moving, a scheduled one): its candidate slots in its window, where its own
  // time does not count as taken; a click schedules it there.
  function scheduleDialog(v, moving = false) {
    const list = h('div', { class: 'slots' }, h('p', { class: 'empty', text: t('book.finding') }));
    const when = (at, who) => ({ who: staffName(who), time: `${dateOf(at)} ${hm(at)}` });
    const { close, err } = openDialog({
      title: `${t(moving ? 'visit.reschedule' : 'day.schedule')} · ${residentName(v.resident_id)} · ${serviceName(v.service_type)}`,
      content: [
        h('p', { class: 'dialog-intro', text: `${t('day.window')} ${dateOf(v.window_start)} ${hm(v.window_start)}–${hm(v.window_end)}` }),
        moving ? h('p', { class: 'muted small', text: t('visit.now', when(v.starts_at, v.clinician_id)) }) : null,
        list],
      actions: [{ label: t('common.close') }],
      wide: true,
    });
    const params = { resident_id: v.resident_id, service_type: v.service_type, from: v.window_start, to: v.window_end, visit_id: moving ? v.id : null };
    api(`/availability?${q(params)}`)
      .then((res) => {
        clear(list).append(slotList(res.items || [], async (s) => {
          clear(err);
          try {
            markOwn(v.id);
            await api(`/visits/${v.id}/${moving ? 'reschedule' : 'schedule'}`, { method: 'POST', body: { clinician_id: s.clinician_id, starts_at: s.starts_at } });
            toast(t(moving ? 'visit.rescheduled' : 'visit.scheduled', when(s.starts_at, s.clinician_id)), 'ok', residentName(v.resident_id));
            S.fresh = { id: v.id, at: Date.now() };
            close();
            refreshCurrent();
          } catch (e) { err.append(problemBox(e)); }
        }));
      })
      .catch((e) => { clear(list).append(problemBox(e)); });
  }

  function refreshCurrent() {
    if (S.view === 'day') refreshDay();
    else if (S.view === 'book') refreshBookDay();
    else if (S.view === 'referrals') refreshReferrals();
  }

  // ---------------------------------------------------------------------------------------------
  // Booking: a resident, a service, a window; the candidate slots; a click books one.
  function slotList(slots, onPick, onHover) {
    if (!slots.length) return h('p', { class: 'empty', text: t('book.noSlots') });
    return h('ul', { class: 'slot-list' }, slots.map((s) => {
      const btn = h('button', {
        type: 'button',
        class: ['slot', s.family_doctor && 'is-family', !onPick && 'is-readonly'],
        'aria-disabled': onPick ? null : 'true',
        data: { clinicianId: s.clinician_id, startsAt: s.starts_at },
        on: {
          click: async (e) => {
            const b = e.currentTarget;
            if (b.disabled || !onPick) return;
            b.disabled = true;
            b.classList.add('is-busy');
            try { await onPick(s); } finally { b.disabled = false; b.classList.remove('is-busy'); }
          },
          mouseenter: () => onHover && onHover(s),
          focus: () => onHover && onHover(s),
          mouseleave: () => onHover && onHover(null),
          blur: () => onHover && onHover(null),
        },
      },
      h('span', { class: 'slot-time', text: `${hm(s.starts_at)}–${hm(s.ends_at)}` }),
      h('span', { class: 'slot-who' }, h('strong', { text: staffName(s.clinician_id) }), s.family_doctor ? badge(t('book.familyDoctor'), 'family') : null),
      h('span', { class: 'slot-travel muted', text: t('book.travelBefore', { n: s.travel_minutes_before }) }),
      s.added_travel_minutes !== undefined ? h('span', { class: 'slot-added muted small', text: t('book.addedTravel', { n: s.added_travel_minutes }) }) : null,
      onPick ? h('span', { class: 'slot-go', 'aria-hidden': 'true', text: '›' }) : null);
      return h('li', {}, btn);
    }));
  }

  function viewBook(main) {
    if (!S.book.date) S.book.date = isWeekend(defaultDate()) ? nextWeekday(defaultDate()) : defaultDate();
    const f = S.book.form || (S.book.form = { resident: '', service: '', from: '08:30', to: '12:00', priority: 'routine', clinician: '' });
    const residents = [...S.residents.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
    const residentSel = h('select', { id: 'book-resident', name: 'resident_id', required: true },
      h('option', { value: '', text: residents.length ? t('book.pickResident') : t('book.noResidents') }),
      residents.map((r) => h('option', { value: r.id, text: `${r.name}  ${r.birth_date ? t('common.years', { n: ageOf(r.birth_date) }) : ''}${(r.priority_flags || []).length ? `  · ${r.priority_flags.map(flagName).join('、')}` : ''}` })));
    residentSel.value = f.resident;
    const services = [...S.services.values()].sort((a, b) => a.category.localeCompare(b.category) || a.code.localeCompare(b.code));
    const serviceSel = h('select', { id: 'book-service', name: 'service_type', required: true },
      h('option', { value: '', text: t('book.pickService') }),
      services.map((s) => h('option', { value: s.code, text: `${serviceName(s.code)}（${t('common.minutes', { n: s.duration_minutes })}）` })));
    serviceSel.value = f.service;
    const dateField = dateInput({ id: 'book-date', name: 'date', value: S.book.date, required: true, onChange: () => onDate() });
    const dateIn = dateField.input;
    const fromIn = timeInput({ id: 'book-from', name: 'window_start', value: f.from, required: true, 'aria-label': t('book.from') });
    const toIn = timeInput({ id: 'book-to', name: 'window_end', value: f.to, required: true, 'aria-label': t('book.to') });
    const prioSel = h('select', { id: 'book-priority', name: 'priority' },
      ['routine', 'urgent'].map((p) => h('option', { value: p, text: t(`vprio.${p}`) })));
    prioSel.value = f.priority;
    const clinSel = h('select', { id: 'book-clinician', name: 'clinician_id' },
      h('option', { value: '', text: t('book.anyClinician') }),
      S.clinicians.map((c) => h('option', { value: c.id, text: `${c.display_name}（${(c.skills || []).map(skillName).join('、')}）` })));
    clinSel.value = f.clinician;
    const weekendNote = h('p', { class: 'notice small', hidden: !isWeekend(S.book.date), text: t('book.weekendWarn') });
    const errBox = h('div', { id: 'book-error' });
    const slotsBox = h('div', { id: 'slots', class: 'slots' }, h('p', { class: 'empty', text: t('book.slotsIdle') }));
    const dayTitle = h('h2', { id: 'book-day-title', text: t('book.dayOf', { date: dateLabel(S.book.date) }) });
    const dayBox = h('div', { id: 'book-timeline', class: 'tl-box' });
    const fieldEls = { resident_id: residentSel, service_type: serviceSel, window_start: fromIn, window_end: toIn, from: fromIn, to: toIn, clinician_id: clinSel, starts_at: fromIn };

    const readForm = () => {
      Object.assign(f, { resident: residentSel.value, service: serviceSel.value, from: normTime(fromIn.value) || '', to: normTime(toIn.value) || '', priority: prioSel.value, clinician: clinSel.value });
      S.book.date = normDate(dateIn.value) || '';
    };
    const showError = (e) => {
      clear(errBox).append(problemBox(e));
      for (const el of Object.values(fieldEls)) el.classList.remove('is-invalid');
      for (const fe of (e.errors || [])) if (fieldEls[fe.field]) fieldEls[fe.field].classList.add('is-invalid');
    };
    const clearError = () => { clear(errBox); for (const el of Object.values(fieldEls)) el.classList.remove('is-invalid'); };
    const windowBody = () => ({
      resident_id: f.resident, service_type: f.service,
      window_start: rfc(S.book.date, f.from), window_end: rfc(S.book.date, f.to), priority: f.priority,
    });
    const localCheck = () => {
      const errors = [];
      if (!f.resident) errors.push({ field: 'resident_id', message: t('common.required') });
      if (!f.service) errors.push({ field: 'service_type', message: t('common.required') });
      if (!S.book.date || !f.from || !f.to) errors.push({ field: 'window_start', message: t('common.required') });
      if (errors.length) { showError(new ApiError(422, { code: 'validation_failed', errors })); return false; }
      return true;
    };

    let ghost = null;
    const hover = (s) => { ghost = s; drawDay(); };
    const drawDay = () => {
      if (!S.book.day || S.book.day.date !== S.book.date) return;
      keepScroll(dayBox, () => clear(dayBox).append(timeline(S.book.day, { ghost })));
    };
    S.book.draw = drawDay;

    const book = async (s, key) => {
      clearError();
      try {
        const v = await api('/visits', { method: 'POST', key, body: { ...windowBody(), clinician_id: s.clinician_id, starts_at: s.starts_at } });
        markOwn(v.id);
        S.fresh = { id: v.id, at: Date.now() };
        ghost = null;
        const what = t('book.booked', { res: residentName(v.resident_id), svc: serviceName(v.service_type), who: staffName(v.clinician_id), time: `${dateOf(v.starts_at)} ${hm(v.starts_at)}–${hm(v.ends_at)}` });
        toast(what, 'ok');
        S.book.slots = null;
        clear(slotsBox).append(h('div', { class: 'booked', id: 'booked', data: { visitId: v.id } },
          h('strong', { text: `✓ ${what}` }),
          h('button', { type: 'button', class: 'btn btn-secondary btn-sm', on: { click: () => find() } }, t('book.findAgain'))));
        await refreshBookDay();
      } catch (e) {
        showError(e);
        const alts = e.body && Array.isArray(e.body.alternatives) ? e.body.alternatives : [];
        if (e.code === 'visit_conflict' && alts.length) {
          errBox.append(h('p', { class: 'small', text: t('book.alternatives') }), slotList(alts, (a) => book(a), hover));
        }
        refreshBookDay();
      }
    };
    const find = async (quiet = false) => {
      readForm();
      if (!quiet) clearError();
      if (!localCheck()) return;
      if (!quiet) clear(slotsBox).append(h('p', { class: 'empty', text: t('book.finding') }));
      try {
        const res = await api(`/availability?${q({ resident_id: f.resident, service_type: f.service, from: rfc(S.book.date, f.from), to: rfc(S.book.date, f.to), clinician_id: f.clinician })}`);
        S.book.slots = res.items || [];
        clear(slotsBox).append(slotList(S.book.slots, canBook() ? (s) => book(s) : null, hover));
      } catch (e) {
        clear(slotsBox);
        showError(e);
      }
    };
    const toPool = async () => {
      readForm();
      clearError();
      if (!localCheck()) return;
      try {
        const v = await api('/visits', { method: 'POST', body: { ...windowBody(), auto_assign: false } });
        markOwn(v.id);
        toast(t('book.toPoolDone'), 'ok', `${residentName(v.resident_id)} · ${serviceName(v.service_type)}`);
      } catch (e) { showError(e); }
    };

    const onDate = () => {
      readForm();
      weekendNote.hidden = !isWeekend(S.book.date);
      dayTitle.textContent = t('book.dayOf', { date: dateLabel(S.book.date) });
      clear(slotsBox).append(h('p', { class: 'empty', text: t('book.slotsIdle') }));
      refreshBookDay();
    };
    for (const el of [residentSel, serviceSel, fromIn, toIn, prioSel, clinSel]) el.addEventListener('change', () => { readForm(); el.classList.remove('is-invalid'); });

    const fld = (label, input, cls) => h('label', { class: ['field', cls] }, h('span', { class: 'field-label', text: label }), input);
    main.append(
      h('div', { class: 'toolbar' }, h('h1', { class: 'page-title', text: t('book.title') })),
      h('div', { class: 'book-grid' },
        card(null, null,
          h('form', { id: 'book-form', class: 'form-grid book-form', on: { submit: (e) => { e.preventDefault(); find(); } } },
            fld(t('book.resident'), residentSel, 'span-2'),
            fld(t('book.service'), serviceSel, 'span-2'),
            fld(t('book.date'), dateField),
            h('div', { class: 'field field-window' }, h('span', { class: 'field-label', text: t('day.window') }),
              h('div', { class: 'window-inputs' }, fromIn, h('span', { class: 'muted', text: '–' }), toIn)),
            fld(t('book.priority'), prioSel),
            fld(t('book.clinician'), clinSel),
            h('div', { class: 'span-2' }, weekendNote, canBook() ? null : h('p', { class: 'notice small', text: t('book.lookOnly') })),
            h('div', { class: 'form-actions span-2' },
              h('button', { id: 'find-slots', type: 'submit', class: 'btn btn-primary' }, t('book.find')),
              canBook() ? h('button', { id: 'to-pool', type: 'button', class: 'btn btn-secondary', on: { click: toPool } }, t('book.toPool')) : null)),
          errBox),
        card(t('book.slots'), h('span', { class: 'muted small', text: canBook() ? t('book.slotsHint') : t('book.slotsHintLook') }), slotsBox)),
      h('section', { class: 'card' }, h('header', { class: 'card-head' }, dayTitle, legend()), dayBox));
    refreshBookDay();
  }

  function nextWeekday(date) {
    let d = date;
    while (isWeekend(d)) d = addDays(d, 1);
    return d;
  }

  async function refreshBookDay() {
    const date = S.book.date;
    const box = $('#book-timeline');
    if (!box) return;
    try {
      const data = await loadDay(date);
      if (S.view !== 'book' || S.book.date !== date) return;
      S.book.day = data;
      if (S.book.draw) S.book.draw();
    } catch (e) { clear(box).append(problemBox(e)); }
  }

  // ---------------------------------------------------------------------------------------------
  // Referrals: inbox and outbox, a detail pane with the form and history, the valid actions.
  function sideOf(r) {
    const org = S.me.organization_id;
    if (S.me.role === 'admin') return 'admin';
    if (r.to_organization_id === org) return 'receiver';
    if (r.from_organization_id === org) return 'sender';
    return 'watcher';
  }

  function actionsFor(r) {
    const side = sideOf(r);
    const out = [];
    if (side === 'receiver') {
      if (r.status === 'submitted') out.push('accept', 'reject', 'return');
      if (r.status === 'accepted') out.push('schedule');
      if (r.status === 'scheduled') out.push('arrive');
      if (r.status === 'arrived') out.push('complete');
    }
    if (side === 'sender' && r.status === 'submitted') out.push('cancel');
    if ((side === 'receiver' || side === 'sender') && r.status === 'scheduled') out.push('no_show');
    return out;
  }

  function viewReferrals(main) {
    const R = S.ref;
    if (S.me.role === 'admin') R.box = 'all';
    else if (R.box === 'all') R.box = 'inbox';
    if (R.box === 'watching' && !watchesHomes()) R.box = 'inbox';
    const tabs = S.me.role === 'admin'
      ? [['all', t('ref.all')]]
      : [['inbox', t('ref.inbox')], ['outbox', t('ref.outbox')], watchesHomes() ? ['watching', t('ref.watching')] : null].filter(Boolean);
    const statusSel = h('select', { id: 'ref-status', 'aria-label': t('ref.statusFilter'), on: { change: (e) => { R.status = e.target.value; refreshReferrals(); } } },
      h('option', { value: '', text: t('ref.anyStatus') }),
      ['submitted', 'accepted', 'scheduled', 'arrived', 'completed', 'rejected', 'returned', 'cancelled', 'no_show'].map((s) => h('option', { value: s, text: t(`rstatus.${s}`) })));
    statusSel.value = R.status;
    const overdueCb = h('input', { type: 'checkbox', id: 'ref-overdue', checked: R.overdue, on: { change: (e) => { R.overdue = e.target.checked; refreshReferrals(); } } });
    main.append(
      h('div', { class: 'toolbar' },
        h('h1', { class: 'page-title', text: t('ref.title') }),
        S.me.role === 'admin' ? badge(t('common.readOnly'), 'readonly') : null,
        h('div', { class: 'tabs', role: 'tablist' }, tabs.map(([k, l]) => h('button', {
          type: 'button', role: 'tab', class: ['tab', R.box === k && 'active'], data: { box: k }, 'aria-selected': R.box === k ? 'true' : 'false',
          title: k === 'watching' ? t('ref.watchingHint') : null,
          on: { click: () => { R.box = k; R.selected = null; R.detail = null; clear(main); viewReferrals(main); } },
        }, l, k === 'inbox' ? h('span', { class: 'tab-count', data: { countFor: k }, title: t('ref.pending'), text: S.pending ? String(S.pending) : '' }) : null))),
        h('div', { class: 'toolbar-end' },
          referralDirection() ? h('button', { type: 'button', id: 'ref-new', class: 'btn btn-primary btn-sm', on: { click: () => newReferral(main) } }, `＋ ${t('ref.new')}`) : null,
          statusSel, h('label', { class: 'check' }, overdueCb, t('ref.overdueOnly')))),
      h('div', { class: ['ref-layout', R.selected && 'has-selection'], id: 'ref-layout' },
        h('div', { class: 'card ref-list-card' }, h('div', { id: 'ref-list', class: 'ref-list' }, h('p', { class: 'empty', text: t('common.loading') }))),
        h('div', { class: 'card ref-detail-card' }, h('div', { id: 'ref-detail', class: 'ref-detail' }, h('p', { class: 'empty', text: t('ref.pick') })))));
    refreshReferrals();
  }

  // A clinic follows the referrals of the care homes signed with it (the API's watching box).
  function watchesHomes() {
    if (!['scheduler', 'clinician'].includes(S.me.role)) return false;
    return [...S.orgs.values()].some((o) => o.kind === 'care_home' && o.contracted_clinic_id === S.me.organization_id);
  }

  // Which way this user's organisation refers: clinics and care homes up to a hospital, hospitals
  // down to a clinic or care home (the authority only watches).
  function referralDirection() {
    const kind = (S.orgs.get(S.me.organization_id) || {}).kind;
    if (S.me.role === 'hospital' && kind === 'hospital') return 'down';
    if (['scheduler', 'clinician', 'care_home'].includes(S.me.role) && ['clinic', 'care_home'].includes(kind)) return 'up';
    return null;
  }

  async function newReferral(main) {
    const direction = referralDirection();
    if (!direction) return;
    let residents = [...S.residents.values()];
    try {
      if (!residents.length) {
        residents = await all('/residents');
        for (const r of residents) S.residents.set(r.id, r);
      }
    } catch (e) { toast(t('err.generic'), 'error', e.message); return; }
    if (!residents.length) { toast(t('ref.noResidents'), 'error'); return; }
    const byName = (a, b) => a.name.localeCompare(b.name, 'zh-CN');
    const targets = [...S.orgs.values()]
      .filter((o) => o.active !== false && (direction === 'up' ? o.kind === 'hospital' : ['clinic', 'care_home'].includes(o.kind)))
      .sort(byName);
    const choose = (options) => [['', t('rf.choose')], ...options];
    const opt = (x) => x || null;
    const summary = direction === 'up'
      ? [['past_history', true], ['treatment_so_far', true], ['allergies', false]]
      : [['treatment_given', true], ['rehabilitation_advice', true], ['medications', false]];
    formDialog({
      title: t(direction === 'up' ? 'ref.newUp' : 'ref.newDown'),
      submit: t('ref.new'),
      fields: [
        { name: 'resident_id', label: t('rf.resident'), type: 'select', required: true,
          options: choose(residents.slice().sort(byName).map((r) => [r.id, [r.name, r.age ? t('common.years', { n: r.age }) : ''].filter(Boolean).join(' · ')])) },
        { name: 'to_organization_id', label: t('rf.to'), type: 'select', required: true, options: choose(targets.map((o) => [o.id, o.name])) },
        { name: 'department', label: t('rf.department') },
        { name: 'priority', label: t('rf.priority'), type: 'select', value: 'routine',
          options: ['routine', 'urgent', 'green_channel'].map((p) => [p, t(`rprio.${p}`)]) },
        { name: 'reason', label: t('rf.referralReason'), type: 'textarea', required: true, rows: 2 },
        { name: 'diagnosis.text', label: t('rf.diagnosis_text'), required: true },
        { name: 'diagnosis.code', label: t('rf.diagnosis_code') },
        ...summary.map(([k, required]) => ({ name: `clinical_summary.${k}`, label: t(`cs.${k}`), type: 'textarea', rows: 2, required })),
        { name: 'sending_doctor.name', label: t('rf.sendingDoctor') },
        { name: 'sending_doctor.phone', label: t('rf.sendingPhone'), type: 'tel' },
      ],
      onSubmit: async (v) => {
        const created = await api('/referrals', {
          method: 'POST',
          body: {
            resident_id: v.resident_id, direction, to_organization_id: v.to_organization_id,
            department: opt(v.department), priority: v.priority, reason: v.reason,
            diagnosis: { text: v['diagnosis.text'], code: opt(v['diagnosis.code']) },
            clinical_summary: Object.fromEntries(summary.map(([k]) => [k, v[`clinical_summary.${k}`]]).filter(([, x]) => x)),
            sending_doctor: v['sending_doctor.name'] ? { name: v['sending_doctor.name'], phone: opt(v['sending_doctor.phone']) } : null,
          },
        });
        markOwn(created.id);
        toast(t('ref.sent'), 'ok', residentName(created.resident_id));
        Object.assign(S.ref, { box: 'outbox', status: '', overdue: false, selected: created.id, detail: null });
        if (S.view === 'referrals') { clear(main); viewReferrals(main); }
      },
    });
  }

  async function refreshReferrals(changedId) {
    const R = S.ref;
    const box = $('#ref-list');
    if (!box) return;
    try {
      const params = { box: R.box === 'all' ? null : R.box, status: R.status, overdue: R.overdue ? 'true' : null };
      const items = await all(`/referrals?${q(params)}`);
      if (S.view !== 'referrals' || !$('#ref-list')) return;
      R.items = items;
      keepScroll(box, () => renderRefList(clear(box), items));
      if (R.box === 'inbox' && !R.status && !R.overdue) {
        S.pending = items.filter((r) => actionsFor(r).some((a) => a !== 'no_show')).length;
        paintPending();
      } else refreshPending();
      if (R.selected && (!changedId || changedId === R.selected)) await openReferral(R.selected, true);
    } catch (e) { clear(box).append(problemBox(e)); }
  }

  function deadlineText(r) {
    if (!['submitted'].includes(r.status)) return null;
    const left = Date.parse(r.deadline_at) - Date.now();
    return left >= 0 ? t('ref.dueIn', { t: duration(left) }) : t('ref.overdueBy', { t: duration(left) });
  }

  function renderRefList(box, items) {
    const watching = S.ref.box === 'watching';
    if (watching) box.append(h('p', { class: 'list-hint small muted', text: t('ref.watchingHint') }));
    if (!items.length) { box.append(h('p', { class: 'empty', text: t(watching ? 'ref.watchingEmpty' : 'ref.empty') })); return; }
    box.append(h('ul', { class: 'list' }, items.map((r) => {
      const p = r.patient || {};
      const dl = deadlineText(r);
      return h('li', {},
        h('button', {
          type: 'button',
          class: ['ref-item', S.ref.selected === r.id && 'active', r.overdue && 'is-overdue', `rp-row-${r.priority}`],
          data: { id: r.id, status: r.status },
          on: { click: () => openReferral(r.id) },
        },
        h('div', { class: 'ref-item-top' },
          rPrioBadge(r.priority),
          r.overdue ? badge(t('ref.overdue'), 'overdue') : null,
          h('strong', { class: 'ref-patient', text: p.name || residentName(r.resident_id) }),
          h('span', { class: 'muted small', text: [p.sex ? tOr(`sex.${p.sex}`, '') : '', p.age ? t('common.years', { n: p.age }) : ''].filter(Boolean).join(' ') }),
          h('span', { class: 'spacer' }),
          rStatusChip(r.status)),
        h('div', { class: 'ref-item-route small' },
          h('span', { class: ['dir', `dir-${r.direction}`], text: r.direction === 'up' ? `↑ ${t('ref.up')}` : `↓ ${t('ref.down')}` }),
          ` ${orgName(r.from_organization_id)} → ${orgName(r.to_organization_id)}${r.department ? ` · ${r.department}` : ''}`),
        h('div', { class: 'ref-item-reason small', text: r.reason }),
        h('div', { class: 'ref-item-meta small muted' },
          h('span', { text: shortDateTime(r.created_at) }),
          dl ? h('span', { class: r.overdue ? 'overdue-text' : '', text: dl }) : null)));
    })));
  }

  async function openReferral(id, quiet = false) {
    const R = S.ref;
    R.selected = id;
    const layout = $('#ref-layout');
    if (layout) layout.classList.add('has-selection');
    for (const b of document.querySelectorAll('.ref-item')) b.classList.toggle('active', b.dataset.id === id);
    const box = $('#ref-detail');
    if (!box) return;
    if (!quiet) clear(box).append(h('p', { class: 'empty', text: t('common.loading') }));
    try {
      const r = await api(`/referrals/${id}`);
      if (R.selected !== id || !$('#ref-detail')) return;
      R.detail = r;
      const pane = $('#ref-detail');
      keepScroll(pane, () => renderRefDetail(clear(pane), r));
    } catch (e) { clear(box).append(problemBox(e)); }
  }

  function renderRefDetail(box, r) {
    const p = r.patient || {};
    const side = sideOf(r);
    const acts = actionsFor(r);
    const sideNote = { receiver: t('ref.sideReceiver'), sender: t('ref.sideSender'), watcher: t('ref.sideWatcher'), admin: t('common.readOnly') }[side];
    const dl = deadlineText(r);
    const section = (title, body) => (body ? h('section', { class: 'detail-section' }, h('h3', { text: title }), body) : null);
    const diag = r.diagnosis ? [r.diagnosis.text, r.diagnosis.code ? `（${r.diagnosis.code}）` : ''].join('') : null;
    append(box, [
      h('button', { type: 'button', class: 'btn btn-ghost btn-sm back-btn', on: { click: () => { S.ref.selected = null; $('#ref-layout').classList.remove('has-selection'); } } }, `‹ ${t('common.back')}`),
      h('div', { class: 'detail-head' },
        h('div', {},
          h('h2', {}, p.name || residentName(r.resident_id), h('span', { class: 'muted head-sub', text: ` ${[p.sex ? tOr(`sex.${p.sex}`, '') : '', p.age ? t('common.years', { n: p.age }) : ''].filter(Boolean).join(' ')}` })),
          h('div', { class: 'detail-badges' },
            h('span', { class: ['dir', `dir-${r.direction}`], text: r.direction === 'up' ? `↑ ${t('ref.up')}` : `↓ ${t('ref.down')}` }),
            rPrioBadge(r.priority), r.overdue ? badge(t('ref.overdue'), 'overdue') : null, rStatusChip(r.status),
            dl ? h('span', { class: ['small', r.overdue ? 'overdue-text' : 'muted'], text: dl }) : null)),
        h('div', { class: 'detail-side muted small', text: sideNote })),
      h('div', { class: 'detail-actions', id: 'ref-actions' },
        acts.length ? acts.map((a) => h('button', {
          type: 'button', class: ['btn', a === 'reject' || a === 'cancel' ? 'btn-danger-ghost' : (a === acts[0] ? 'btn-primary' : 'btn-secondary')],
          data: { action: a }, on: { click: () => refAction(r, a) },
        }, t(`raction.${a}`))) : h('span', { class: 'muted small', text: side === 'admin' ? t('common.readOnly') : t('ref.noActions') })),
      h('div', { class: 'detail-cols' }, section(t('ref.patient'), kv([
        [t('ref.name'), p.name], [t('ref.sex'), p.sex ? tOr(`sex.${p.sex}`, p.sex) : null], [t('ref.age'), p.age],
        [t('ref.phone'), p.phone], [t('ref.address'), p.address], [t('ref.idNumber'), p.id_number],
      ])),
      section(t('ref.people'), kv([
        [t('ref.from'), (r.sender && r.sender.organization_name) || orgName(r.from_organization_id)],
        [t('ref.sendingDoctor'), senderText(r.sender)],
        [t('ref.to'), orgName(r.to_organization_id)],
        [t('ref.department'), r.department],
        [t('ref.receivingDoctor'), r.receiving_doctor],
      ]))),
      section(t('ref.reason'), h('p', { class: 'prose', text: r.reason })),
      section(t('ref.diagnosis'), diag ? h('p', { class: 'prose', text: diag }) : null),
      section(t('ref.summary'), objectKv(r.clinical_summary)),
      section(t('ref.triage'), objectKv(r.triage)),
      section(t('ref.appointment'), objectKv(r.appointment)),
      section(t('ref.returnSheet'), objectKv(r.return_sheet)),
      section(t('ref.followUp'), r.follow_up ? h('div', {}, objectKv(r.follow_up), r.follow_up_plan_id ? h('p', { class: 'small ok-text', text: `✓ ${t('ref.followUpPlan')}` }) : null) : null),
      section(t('ref.timing'), kv([
        [t('ref.created'), dateTime(r.created_at)], [t('ref.deadline'), dateTime(r.deadline_at)],
        [t('ref.responded'), dateTime(r.responded_at)], [t('ref.escalation'), r.escalation_level || null],
      ])),
      section(t('ref.history'), historyList(r.history || []))]);
  }

  // The form's doctor, and who wrote the form when that was someone else (a care home's staff).
  function senderText(sender) {
    if (!sender) return null;
    const doctor = sender.doctor || sender.user_display_name;
    const by = sender.user_display_name && sender.user_display_name !== doctor ? t('ref.filledBy', { name: sender.user_display_name }) : null;
    return [doctor, sender.phone, by].filter(Boolean).join(' · ') || null;
  }

  function historyList(items) {
    if (!items.length) return null;
    return h('ol', { class: 'history' }, items.map((e) => h('li', { class: 'history-item' },
      h('div', { class: 'history-head' },
        h('strong', { text: tOr(`raction.${e.action.replace('-', '_')}`, e.action) }),
        e.to_status ? rStatusChip(e.to_status) : null,
        h('span', { class: 'muted small', text: dateTime(e.at) })),
      h('div', { class: 'muted small', text: [e.actor_display_name, e.actor_organization_id ? orgName(e.actor_organization_id) : null].filter(Boolean).join(' · ') }),
      e.detail && typeof e.detail === 'object' && Object.keys(e.detail).length ? objectKv(e.detail) : null)));
  }

  function refAction(r, a) {
    const path = `/referrals/${r.id}/${a === 'no_show' ? 'no-show' : a}`;
    const run = async (body) => {
      markOwn(r.id);
      const after = await api(path, { method: 'POST', body });
      toast(t('ref.done', { action: t(`raction.${a}`) }), 'ok', (r.patient && r.patient.name) || '');
      S.ref.detail = after;
      const box = $('#ref-detail');
      if (box && S.ref.selected === r.id) renderRefDetail(clear(box), after);
      refreshReferrals();
    };
    const opt = (s) => s || null;
    const title = `${t(`raction.${a}`)} · ${(r.patient && r.patient.name) || ''}`;
    switch (a) {
      case 'accept':
        return formDialog({
          title, submit: t('raction.accept'),
          fields: [
            { name: 'receiving_doctor', label: t('rf.receiving_doctor') },
            { name: 'comment', label: t('rf.comment'), type: 'textarea', rows: 2 },
          ],
          onSubmit: (v) => run({ receiving_doctor: opt(v.receiving_doctor), comment: opt(v.comment) }),
        });
      case 'reject':
        return formDialog({
          title, submit: t('raction.reject'), danger: true,
          fields: [
            { name: 'reason_code', label: t('rf.reason_code'), type: 'select', required: true, options: ['outside_scope', 'no_capacity', 'incomplete_information', 'manage_at_grassroots', 'other'].map((c) => [c, t(`reject.${c}`)]) },
            { name: 'comment', label: t('rf.comment'), type: 'textarea', rows: 2 },
          ],
          onSubmit: (v) => run({ reason_code: v.reason_code, comment: opt(v.comment) }),
        });
      case 'return':
        return formDialog({
          title, submit: t('raction.return'),
          fields: [{ name: 'advice', label: t('rf.advice'), type: 'textarea', required: true }],
          onSubmit: (v) => run({ advice: v.advice }),
        });
      case 'schedule': {
        const when = `${addDays(todayDate(), 1)}T09:00`;
        return formDialog({
          title, submit: t('raction.schedule'),
          fields: [
            { name: 'appointment_at', label: t('rf.appointment_at'), type: 'datetime', required: true, value: when },
            { name: 'department', label: t('rf.department'), required: true, value: r.department || '' },
            { name: 'location', label: t('rf.location'), required: true },
          ],
          onSubmit: (v) => run({ appointment_at: rfc(v.appointment_at.slice(0, 10), v.appointment_at.slice(11, 16)), department: v.department, location: v.location }),
        });
      }
      case 'arrive':
        return formDialog({ title, intro: t('rf.confirmArrive'), submit: t('raction.arrive'), fields: [], onSubmit: () => run({}) });
      case 'no_show':
        return formDialog({ title, intro: t('rf.confirmNoShow'), submit: t('raction.no_show'), danger: true, fields: [], onSubmit: () => run({}) });
      case 'cancel':
        return formDialog({
          title, submit: t('raction.cancel'), danger: true,
          fields: [{ name: 'reason', label: t('rf.reason'), type: 'textarea', required: true, rows: 2 }],
          onSubmit: (v) => run({ reason: v.reason }),
        });
      case 'complete':
        return formDialog({
          title, submit: t('raction.complete'),
          fields: [
            { name: 'diagnosis_text', label: t('rf.diagnosis_text'), required: true, value: (r.diagnosis && r.diagnosis.text) || '' },
            { name: 'diagnosis_code', label: t('rf.diagnosis_code'), value: (r.diagnosis && r.diagnosis.code) || '' },
            { name: 'treatment_given', label: t('rf.treatment_given'), type: 'textarea', required: true, rows: 2 },
            { name: 'recommendations', label: t('rf.recommendations'), type: 'textarea', required: true, rows: 2 },
            { name: 'inpatient_record_number', label: t('rf.inpatient_record_number') },
            { name: 'main_test_results', label: t('rf.main_test_results'), type: 'textarea', rows: 2 },
            ...(r.direction === 'up' ? [
              { name: 'down', label: t('rf.down'), type: 'select', options: [['', t('rf.downNo')], ['yes', t('rf.downYes', { org: orgName(r.from_organization_id) })]] },
              { name: 'follow_service', label: t('rf.followService'), type: 'select', options: [['', t('rf.followNone')], ...[...S.services.values()].filter((x) => ['nursing', 'rehabilitation', 'health_care'].includes(x.category)).map((x) => [x.code, serviceName(x.code)])] },
              { name: 'follow_per_week', label: t('rf.followPerWeek'), type: 'number', value: '2' },
              { name: 'follow_weeks', label: t('rf.followWeeks'), type: 'number', value: '4' },
            ] : []),
          ],
          onSubmit: (v) => run({
            diagnosis: { code: opt(v.diagnosis_code), text: v.diagnosis_text },
            treatment_given: v.treatment_given, recommendations: v.recommendations,
            inpatient_record_number: opt(v.inpatient_record_number), main_test_results: opt(v.main_test_results),
            ...(v.down === 'yes' ? {
              down_referral: {
                follow_up: v.follow_service ? { service_type: v.follow_service, visits_per_week: Number(v.follow_per_week) || 0, weeks: Number(v.follow_weeks) || 0 } : null,
              },
            } : {}),
          }),
        });
      default: return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The unit report: period, chart, table, red and black lists, CSV.
  function monthStart(date) { return `${date.slice(0, 8)}01`; }

  function viewReport(main) {
    const R = S.report;
    if (!R.from) { R.from = monthStart(todayDate()); R.to = todayDate(); }
    const fromField = dateInput({ id: 'rep-from', value: R.from, 'aria-label': t('rep.from') });
    const toField = dateInput({ id: 'rep-to', value: R.to, 'aria-label': t('rep.to') });
    const [fromIn, toIn] = [fromField.input, toField.input];
    const set = (a, b) => { fromIn.value = a; toIn.value = b; run(); };
    const run = () => {
      const [a, b] = [normDate(fromIn.value), normDate(toIn.value)];
      fromIn.classList.toggle('is-invalid', !a);
      toIn.classList.toggle('is-invalid', !b);
      if (!a || !b) return;
      [fromIn.value, toIn.value, R.from, R.to] = [a, b, a, b];
      loadReport();
    };
    const csvBtn = h('button', { type: 'button', id: 'rep-csv', class: 'btn btn-secondary', on: { click: downloadCsv } }, t('rep.csv'));
    main.append(
      h('div', { class: 'toolbar' },
        h('h1', { class: 'page-title', text: t('rep.title') }),
        h('form', { class: 'period', on: { submit: (e) => { e.preventDefault(); run(); } } },
          h('label', { class: 'inline-field' }, h('span', { text: t('rep.from') }), fromField),
          h('label', { class: 'inline-field' }, h('span', { text: t('rep.to') }), toField),
          h('button', { type: 'submit', class: 'btn btn-primary' }, t('rep.run')),
          h('div', { class: 'presets' },
            h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => set(monthStart(todayDate()), todayDate()) } }, t('rep.thisMonth')),
            h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => { const last = addDays(monthStart(todayDate()), -1); set(monthStart(last), last); } } }, t('rep.lastMonth')),
            h('button', { type: 'button', class: 'btn btn-ghost btn-sm', on: { click: () => set(addDays(todayDate(), -29), todayDate()) } }, t('rep.last30')))),
        h('div', { class: 'toolbar-end' }, csvBtn)),
      h('div', { id: 'rep-body' }, h('p', { class: 'empty', text: t('common.loading') })));
    loadReport();
  }

  // The API's `to` is an instant (a plain date is the start of that day): the period's last day is
  // included by asking up to the start of the next one.
  const reportQuery = (extra = {}) => q({ from: S.report.from, to: S.report.to, ...extra });

  async function loadReport() {
    const box = $('#rep-body');
    if (!box) return;
    clear(box).append(h('p', { class: 'empty', text: t('common.loading') }));
    try {
      const data = await api(`/reports/units?${reportQuery()}`);
      if (S.view !== 'report') return;
      S.report.data = data;
      renderReport(clear($('#rep-body')), data);
    } catch (e) { clear(box).append(problemBox(e, { to: t('rep.to'), from: t('rep.from') })); }
  }

  async function downloadCsv() {
    try {
      const res = await api(`/reports/units?${reportQuery({ format: 'csv' })}`, { raw: true });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `carelink-units-${S.report.from}-${S.report.to}.csv`, class: 'hidden-link' });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
      toast(t('rep.csvDone'), 'ok');
    } catch (e) {
      const box = $('#rep-body');
      if (box) box.prepend(problemBox(e));
    }
  }

  function listOf(data, u) {
    if (data.red_list.includes(u.organization_id) || data.red_list.includes(u.code)) return 'red';
    if (data.black_list.includes(u.organization_id) || data.black_list.includes(u.code)) return 'black';
    return null;
  }

  function renderReport(box, data) {
    const units = data.units.map((u) => ({ ...u, list: listOf(data, u) }));
    const scored = units.filter((u) => u.score !== null && u.score !== undefined)
      .sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || b.score - a.score);
    const reds = units.filter((u) => u.list === 'red');
    const blacks = units.filter((u) => u.list === 'black');
    box.append(
      h('div', { class: 'rep-summary' },
        h('span', { class: 'muted', text: t('rep.period', { from: S.report.from, to: S.report.to }) }),
        h('div', { class: 'lists' },
          h('div', { class: 'list-pill list-red', title: t('rep.redHint') }, h('strong', { text: t('rep.red') }), reds.length ? reds.map((u) => h('span', { text: u.name })) : h('span', { class: 'muted', text: t('common.none') })),
          h('div', { class: 'list-pill list-black', title: t('rep.blackHint') }, h('strong', { text: t('rep.black') }), blacks.length ? blacks.map((u) => h('span', { text: u.name })) : h('span', { class: 'muted', text: t('common.none') })))),
      card(t('rep.chart'), null, scored.length ? h('div', { id: 'rep-chart', class: 'chart-wrap' }) : h('p', { class: 'empty', text: t('rep.noScores') })),
      card(t('rep.table'), h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'rep-all', checked: S.report.showAll, on: { change: (e) => { S.report.showAll = e.target.checked; renderReport(clear($('#rep-body')), data); } } }), t('rep.showAll')),
        reportTable(S.report.showAll ? [...scored, ...units.filter((u) => !scored.includes(u))] : [...scored, ...units.filter((u) => !scored.includes(u) && u.figures && hasActivity(u.figures))])),
      h('details', { class: 'method card' }, h('summary', { text: t('rep.method') }), h('p', { class: 'small muted', text: data.method })));
    S.report.scored = scored;
    drawChart();
  }

  // Drawn at the width it is shown, so that its text keeps the page's size; again on resize.
  function drawChart() {
    const wrap = $('#rep-chart');
    if (!wrap || !S.report.scored) return;
    clear(wrap).append(barChart(S.report.scored, Math.max(320, wrap.clientWidth)));
  }
  window.addEventListener('resize', () => soon('chart', drawChart, 150));

  function hasActivity(f) {
    return (f.visits && (f.visits.planned || f.visits.done || f.visits.missed)) || (f.referrals && (f.referrals.sent || f.referrals.received));
  }

  // A horizontal bar chart in SVG, built with DOM APIs.
  function barChart(units, width) {
    const rowH = 30;
    const top = 26;
    const labelW = Math.min(260, Math.round(width * 0.34));
    const barW = width - labelW - 56;
    const height = top + units.length * rowH + 8;
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'bar-chart', role: 'img', 'aria-label': t('rep.chart') });
    for (let v = 0; v <= 100; v += 20) {
      const x = labelW + (barW * v) / 100;
      chart.append(svg('line', { x1: x, x2: x, y1: top - 6, y2: height - 4, class: 'grid-line' }),
        svg('text', { x, y: top - 12, class: 'axis-label', 'text-anchor': 'middle' }, String(v)));
    }
    units.forEach((u, i) => {
      const y = top + i * rowH;
      const w = Math.max(2, (barW * Math.max(0, Math.min(100, u.score))) / 100);
      const fit = Math.max(4, Math.floor((labelW - 40) / 13));
      const name = u.name.length > fit ? `${u.name.slice(0, fit - 1)}…` : u.name;
      const g = svg('g', { class: ['bar-row', u.list ? `bar-${u.list}` : ''].join(' '), 'data-code': u.code },
        svg('title', {}, `${u.rank ? `#${u.rank} ` : ''}${u.name} (${u.code}) ${u.score.toFixed(1)}`),
        svg('text', { x: labelW - 10, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'bar-label' }, `${u.rank ? `${u.rank}. ` : ''}${name}`),
        svg('rect', { x: labelW, y: y + 5, width: barW, height: rowH - 10, rx: 3, class: 'bar-bg' }),
        svg('rect', { x: labelW, y: y + 5, width: w, height: rowH - 10, rx: 3, class: 'bar' }),
        svg('text', { x: labelW + w + 6, y: y + rowH / 2 + 5, class: 'bar-value' }, u.score.toFixed(1)));
      if (u.list) g.append(svg('rect', { x: 0, y: y + 7, width: 34, height: rowH - 14, rx: 3, class: `mark-bg-${u.list}` }), svg('text', { x: 17, y: y + rowH / 2 + 4, 'text-anchor': 'middle', class: 'bar-mark' }, lang === 'en' ? (u.list === 'red' ? 'RED' : 'BLK') : t(`rep.${u.list}`)));
      chart.append(g);
    });
    return h('div', { class: 'chart-wrap' }, chart);
  }

  function reportTable(units) {
    if (!units.length) return h('p', { class: 'empty', text: t('rep.noScores') });
    const num = (x) => (x === null || x === undefined ? '—' : String(x));
    return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'rep-table' },
      h('thead', {},
        h('tr', {},
          h('th', { rowspan: 2, text: t('rep.rank') }), h('th', { rowspan: 2, text: t('rep.unit') }), h('th', { rowspan: 2, text: t('rep.score') }),
          h('th', { colspan: 4, class: 'group', text: t('rep.visits') }), h('th', { colspan: 4, class: 'group', text: t('rep.referrals') }),
          h('th', { rowspan: 2, text: t('rep.list') })),
        h('tr', {}, ['planned', 'doneCol', 'onTime', 'missed', 'sent', 'received', 'inTime', 'overdue'].map((k) => h('th', { class: 'sub', text: t(`rep.${k}`) })))),
      h('tbody', {}, units.map((u) => {
        const f = u.figures || {};
        const v = f.visits || {};
        const r = f.referrals || {};
        return h('tr', { class: [u.list && `row-${u.list}`, (u.score === null || u.score === undefined) && 'row-nodata'], data: { code: u.code } },
          h('td', { class: 'num', text: num(u.rank) }),
          h('td', {}, h('div', { class: 'unit-name', text: u.name }), h('div', { class: 'muted small', text: `${u.code} · ${tOr(`kind.${u.kind}`, u.kind)}` })),
          h('td', { class: 'num score' }, u.score === null || u.score === undefined ? h('span', { class: 'muted', text: t('rep.noData') }) : u.score.toFixed(1)),
          [v.planned, v.done, v.done_on_time, v.missed, r.sent, r.received, r.answered_in_time, r.overdue].map((x) => h('td', { class: 'num', text: num(x) })),
          h('td', {}, u.list ? badge(t(`rep.${u.list}`), `list-${u.list}`) : null));
      }))));
  }

  // ---------------------------------------------------------------------------------------------
  // Boot
  window.addEventListener('hashchange', () => route());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && S.session && S.session.exp - Date.now() < 90000) refreshTokens().catch(() => {});
  });

  async function boot() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `carelink ${t('app.title')}`;
    sessionStorage.removeItem(SESSION_KEY); // where earlier versions kept it
    S.session = storedSession();
    if (!S.session) { renderLogin(); return; }
    try {
      if (S.session.exp - Date.now() < 30000) await refreshTokens();
      scheduleRefresh();
      await start();
    } catch (e) {
      if (S.session) endSession('login.expired');
    }
  }
  boot();
})();
