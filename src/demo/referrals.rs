//! The demo's referrals, one or more in every state, made through the referral flow (history,
//! audit record and event for each step) at times spread over the last days, so that inboxes,
//! the watching box and the response-time figures have something to show.
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

use super::people::actor;
use super::Clock;
use crate::auth::CurrentUser;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::referrals::flow;
use crate::referrals::model::{
    Action, Diagnosis, Direction, Doctor, FollowUp, NewReferral, Priority,
};
use crate::referrals::repo::{ReferralChanges, ReferralRow};

/// The steps a demo referral takes after it is sent, each `minutes` after the one before.
#[derive(Clone, Copy)]
enum Step {
    Accept,
    Reject,
    Return,
    /// Appointment this many hours after the step.
    Schedule(i64),
    Arrive,
    /// Completed with the return sheet, and the down-referral started (left for the clinic).
    CompleteAndReferDown,
    Cancel,
    NoShow,
}

struct Demo {
    from: &'static str,
    /// Index in the sender's clinic list (the care home's residents are 6.. of WH-CL-01's).
    resident: (usize, usize),
    to: &'static str,
    priority: Priority,
    /// Sent this many minutes before now.
    sent_ago: i64,
    reason: &'static str,
    diagnosis: (&'static str, &'static str),
    department: &'static str,
    steps: &'static [(Step, i64)],
}

use Step::*;

const REFERRALS: &[Demo] = &[
    // Waiting at the hospital desk (the README's "a hospital desk accepts").
    Demo {
        from: "doc01",
        resident: (0, 1),
        to: "desk-ho01",
        priority: Priority::Urgent,
        sent_ago: 35,
        reason: "右侧肢体无力加重两天，言语不清",
        diagnosis: ("I63.9", "脑梗死？"),
        department: "神经内科",
        steps: &[],
    },
    // From the care home: its signed clinic (WH-CL-01) watches it.
    Demo {
        from: "home01",
        resident: (0, 6),
        to: "desk-ho01",
        priority: Priority::Urgent,
        sent_ago: 50,
        reason: "夜间胸闷气短，活动后加重",
        diagnosis: ("I25.1", "冠心病，心功能不全？"),
        department: "心内科",
        steps: &[],
    },
    // Past its deadline: overdue and escalated.
    Demo {
        from: "doc01",
        resident: (0, 3),
        to: "desk-ho02",
        priority: Priority::Routine,
        sent_ago: 30 * 60,
        reason: "血糖控制不佳，空腹血糖多次高于 10 mmol/L",
        diagnosis: ("E11.9", "2型糖尿病"),
        department: "内分泌科",
        steps: &[],
    },
    Demo {
        from: "doc01",
        resident: (0, 4),
        to: "desk-ho02",
        priority: Priority::Routine,
        sent_ago: 20 * 60,
        reason: "骶尾部压疮扩大，伴渗出",
        diagnosis: ("L89.1", "压疮（II期）"),
        department: "中医外科",
        steps: &[(Accept, 95)],
    },
    Demo {
        from: "sched02",
        resident: (1, 1),
        to: "desk-ho01",
        priority: Priority::Routine,
        sent_ago: 26 * 60,
        reason: "血压波动，要求住院调整用药",
        diagnosis: ("I10", "原发性高血压"),
        department: "心内科",
        steps: &[(Reject, 240)],
    },
    // Back in WH-CL-01's inbox with the hospital's advice.
    Demo {
        from: "doc01",
        resident: (0, 5),
        to: "desk-ho01",
        priority: Priority::Routine,
        sent_ago: 22 * 60,
        reason: "头晕反复发作一周",
        diagnosis: ("R42", "头晕待查"),
        department: "神经内科",
        steps: &[(Return, 180)],
    },
    Demo {
        from: "sched02",
        resident: (1, 3),
        to: "desk-ho02",
        priority: Priority::Routine,
        sent_ago: 28 * 60,
        reason: "腰腿痛加重，行走困难，请求针灸治疗",
        diagnosis: ("M54.5", "腰痛"),
        department: "针灸科",
        steps: &[(Accept, 60), (Schedule(40), 30)],
    },
    Demo {
        from: "doc01",
        resident: (0, 2),
        to: "desk-ho01",
        priority: Priority::Urgent,
        sent_ago: 27 * 60,
        reason: "近一月认知下降明显，夜间躁动",
        diagnosis: ("F03", "痴呆"),
        department: "神经内科",
        steps: &[(Accept, 45), (Schedule(20), 20), (Arrive, 20 * 60)],
    },
    // Completed with its return sheet; the down-referral waits in WH-CL-01's inbox.
    Demo {
        from: "doc01",
        resident: (0, 0),
        to: "desk-ho01",
        priority: Priority::Urgent,
        sent_ago: 46 * 60,
        reason: "血压 186/104 mmHg，伴头痛",
        diagnosis: ("I10", "高血压急症"),
        department: "心内科",
        steps: &[
            (Accept, 30),
            (Schedule(2), 15),
            (Arrive, 120),
            (CompleteAndReferDown, 25 * 60),
        ],
    },
    Demo {
        from: "sched02",
        resident: (1, 0),
        to: "desk-ho02",
        priority: Priority::Routine,
        sent_ago: 6 * 60,
        reason: "慢性咳嗽三月",
        diagnosis: ("R05", "咳嗽"),
        department: "肺病科",
        steps: &[(Cancel, 50)],
    },
    Demo {
        from: "sched02",
        resident: (1, 4),
        to: "desk-ho01",
        priority: Priority::Routine,
        sent_ago: 44 * 60,
        reason: "双膝关节疼痛，需骨科评估",
        diagnosis: ("M17.9", "膝骨关节炎"),
        department: "骨科",
        steps: &[(Accept, 120), (Schedule(20), 10), (NoShow, 22 * 60)],
    },
];

/// Adds the referrals; `residents[i]` are demo clinic i's residents in list order.
pub fn add(conn: &mut DbConn, clock: &Clock, residents: &[Vec<String>]) -> AppResult<usize> {
    let mut made = 0;
    for d in REFERRALS {
        let sender = actor(conn, d.from)?;
        let desk = actor(conn, d.to)?;
        let to = desk
            .organization_id
            .clone()
            .ok_or_else(|| AppError::internal("desk"))?;
        let display = crate::people::flow::find_user(conn, &sender.id)?
            .map(|u| u.display_name)
            .unwrap_or_default();
        let new = NewReferral {
            resident_id: residents[d.resident.0][d.resident.1].clone(),
            direction: Direction::Up,
            to_organization_id: to,
            department: Some(d.department.into()),
            priority: d.priority,
            reason: d.reason.into(),
            diagnosis: Diagnosis {
                code: Some(d.diagnosis.0.into()),
                text: d.diagnosis.1.into(),
            },
            clinical_summary: json!({
                "past_history": "高血压病史十余年，规律服药",
                "treatment_so_far": "社区随访，调整用药后效果欠佳",
                "allergies": "青霉素过敏",
            }),
            // Care-home staff write the form; a clinic's doctor signs it as themselves.
            sending_doctor: (sender.role == crate::auth::Role::CareHome).then(|| Doctor {
                name: display,
                phone: Some("0871-65123456".into()),
            }),
            receiving_doctor: None,
            parent_referral_id: None,
            follow_up: None,
        };
        new.validate()?;
        let mut when = clock.now - Duration::minutes(d.sent_ago);
        let mut row = flow::submit(conn, &sender, &new, &clock.settings.referrals, when)?;
        backdate(conn, &row.id, when)?;
        made += 1;
        for &(step, after) in d.steps {
            when += Duration::minutes(after);
            let who = if matches!(step, Cancel) {
                &sender
            } else {
                &desk
            };
            let (action, changes, detail) = change(step, who, when)?;
            row = flow::act(conn, who, &row, action, changes, detail, when)?;
            backdate(conn, &row.id, when)?;
            if matches!(step, CompleteAndReferDown) {
                refer_down(conn, clock, &desk, &row, when)?;
                made += 1;
            }
        }
    }
    Ok(made)
}

fn text(v: &Value) -> AppResult<Option<Option<String>>> {
    Ok(Some(Some(v.to_string())))
}

/// What a step changes besides the status, as the referral handlers record it.
fn change(
    step: Step,
    who: &CurrentUser,
    when: NaiveDateTime,
) -> AppResult<(Action, ReferralChanges, Option<Value>)> {
    let mut ch = ReferralChanges::default();
    let (action, detail) = match step {
        Accept => {
            let triage = json!({"decision": "accepted", "comment": "同意接收，请携带近期化验单", "by": who.id});
            ch.triage = text(&triage)?;
            ch.receiving_doctor = Some(Some("李主任".into()));
            (Action::Accept, Some(triage))
        }
        Reject => {
            let triage = json!({"decision": "rejected", "reason_code": "manage_at_grassroots",
                "comment": "血压可在社区调整用药后复查", "by": who.id});
            ch.triage = text(&triage)?;
            (Action::Reject, Some(triage))
        }
        Return => {
            let triage = json!({"decision": "returned",
                "advice": "请补充近一周血压记录及头颅 CT 结果后重新转诊", "by": who.id});
            ch.triage = text(&triage)?;
            (Action::Return, Some(triage))
        }
        Schedule(hours) => {
            let appointment = json!({"at": crate::time::Time::from(when + Duration::hours(hours)),
                "department": "门诊", "location": "门诊楼二楼 3 诊室"});
            ch.appointment = text(&appointment)?;
            (Action::Schedule, Some(appointment))
        }
        Arrive => (Action::Arrive, None),
        NoShow => (Action::NoShow, Some(json!({"comment": "电话联系未到诊"}))),
        Cancel => (
            Action::Cancel,
            Some(json!({"reason": "患者家属决定先在社区观察"})),
        ),
        CompleteAndReferDown => {
            let sheet = json!({
                "diagnosis": {"code": "I10", "text": "高血压3级（很高危）"},
                "inpatient_record_number": "ZY2026-10231", "main_test_results": "头颅 CT 未见出血",
                "treatment_given": "静脉降压、调整口服降压药", "recommendations": "社区每周随访血压，低盐饮食",
            });
            ch.return_sheet = text(&sheet)?;
            (Action::Complete, Some(sheet))
        }
    };
    Ok((action, ch, detail))
}

/// The hospital's down-referral back to the clinic, asking for follow-up visits at home.
fn refer_down(
    conn: &mut DbConn,
    clock: &Clock,
    desk: &CurrentUser,
    up: &ReferralRow,
    when: NaiveDateTime,
) -> AppResult<()> {
    let new = NewReferral {
        resident_id: up.resident_id.clone(),
        direction: Direction::Down,
        to_organization_id: up.from_organization_id.clone(),
        department: Some("全科".into()),
        priority: Priority::Routine,
        reason: "社区每周随访血压，低盐饮食".into(),
        diagnosis: Diagnosis {
            code: Some("I10".into()),
            text: "高血压3级（很高危）".into(),
        },
        clinical_summary: json!({
            "treatment_given": "静脉降压、调整口服降压药",
            "rehabilitation_advice": "社区每周随访血压，低盐饮食",
            "medications": "氨氯地平 5 mg 每日一次",
        }),
        sending_doctor: None,
        receiving_doctor: None,
        parent_referral_id: Some(up.id.clone()),
        follow_up: Some(FollowUp {
            service_type: "chronic_disease_follow_up".into(),
            visits_per_week: 1,
            weeks: 4,
            home_sickbed: false,
        }),
    };
    new.validate()?;
    let down = flow::submit(conn, desk, &new, &clock.settings.referrals, when)?;
    backdate(conn, &down.id, when)
}

/// The flow stamps history with the clock; the demo's steps happened over the last days, so its
/// entries take the step's time (those already backdated are earlier and stay).
fn backdate(conn: &mut DbConn, referral_id: &str, when: NaiveDateTime) -> AppResult<()> {
    use crate::db::schema::referral_history as h;
    use diesel::prelude::*;
    diesel::update(
        h::table
            .filter(h::referral_id.eq(referral_id))
            .filter(h::at.gt(when)),
    )
    .set(h::at.eq(when))
    .execute(conn)?;
    Ok(())
}
