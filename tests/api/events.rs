//! The event stream: who hears what, resuming without gaps or repeats, and across instances.
use carelink::auth::Role;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};
use std::time::Duration;

use crate::helpers::TestApp;
use crate::{db_test, pg_test};

/// One SSE subscription, read frame by frame.
struct Sse {
    resp: reqwest::Response,
    buf: String,
}

#[derive(Debug, Clone)]
struct Event {
    /// The SSE id: the stream's position after this event, `tx-id` on PostgreSQL, `id` on SQLite.
    id: String,
    kind: String,
    data: Value,
}

impl Sse {
    async fn open(app: &TestApp, base: &str, token: &str, last: Option<&str>) -> Sse {
        let mut req = app
            .client
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id);
        }
        let resp = req.send().await.expect("subscribed");
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Sse {
            resp,
            buf: String::new(),
        }
    }

    /// The next event within `wait` (comments and heartbeats skipped), or None.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                let mut event = Event {
                    id: String::new(),
                    kind: String::new(),
                    data: Value::Null,
                };
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        event.id = v.to_string();
                    }
                    if let Some(v) = line.strip_prefix("event: ") {
                        event.kind = v.to_string();
                    }
                    if let Some(v) = line.strip_prefix("data: ") {
                        event.data = serde_json::from_str(v).unwrap();
                    }
                }
                if !event.id.is_empty() {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

impl Sse {
    /// Everything the stream still sends, until it ends (or `wait` passes: None).
    async fn rest(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.resp.chunk()).await {
                Err(_) => return None,
                Ok(Ok(Some(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => return Some(std::mem::take(&mut self.buf)),
            }
        }
    }
}

/// An SSE id as (transaction, event id), the order the stream delivers in.
fn position(e: &Event) -> (i64, i64) {
    match e.id.split_once('-') {
        Some((tx, id)) => (tx.parse().unwrap(), id.parse().unwrap()),
        None => (0, e.id.parse().unwrap()),
    }
}

struct Setup {
    sched: String,
    nurse: String,
    resident: String,
    day: chrono::NaiveDate,
}

async fn setup(app: &TestApp) -> Setup {
    let sched = app
        .token_for("sched.a", Role::Scheduler, Some("WH-CL-01"))
        .await;
    let nurse = app.create_user("nurse.a", Role::Clinician, Some("WH-CL-01"), &["nursing"]);
    let day = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + chrono::Duration::days(2);
    let r = app
        .post(
            "/api/v1/shifts",
            &sched,
            json!({"clinician_id": nurse,
        "starts_at": format!("{day}T08:00:00+08:00"), "ends_at": format!("{day}T17:00:00+08:00")}),
        )
        .await;
    assert_eq!(r.status, 201);
    let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
    Setup {
        sched,
        nurse,
        resident,
        day,
    }
}

async fn book(app: &TestApp, s: &Setup, hm: &str) -> String {
    let r = app.post("/api/v1/visits", &s.sched, json!({"resident_id": s.resident, "service_type": "blood_pressure_check",
        "window_start": format!("{}T08:00:00+08:00", s.day), "window_end": format!("{}T17:00:00+08:00", s.day),
        "clinician_id": s.nurse, "starts_at": format!("{}T{hm}:00+08:00", s.day)})).await;
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

db_test! {
    async fn a_booking_reaches_the_clinics_scheduler_and_not_a_foreign_one(app) {
        let s = setup(&app).await;
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let mut mine = Sse::open(&app, &app.address, &s.sched, None).await;
        let mut theirs = Sse::open(&app, &app.address, &foreign, None).await;
        let id = book(&app, &s, "09:00").await;
        let e = mine.next(Duration::from_secs(5)).await.expect("the booking arrives");
        assert_eq!((e.kind.as_str(), e.data["entity_id"].as_str()), ("visit.booked", Some(id.as_str())));
        assert_eq!(e.data["data"]["clinician_id"], s.nurse.as_str());
        assert!(theirs.next(Duration::from_millis(1500)).await.is_none(), "a foreign clinic hears nothing");
        // The resident's own app hears of it too.
        let new = carelink::people::model::NewStaff { username: "elder".into(), display_name: "周桂芳".into(),
            role: Role::Resident, organization_id: None, skills: vec![], password: crate::helpers::PASSWORD.into(),
            resident_id: Some(s.resident.clone()) };
        carelink::people::repo::insert(&mut app.conn(), &new, crate::helpers::password_hash()).unwrap();
        let elder = app.access_token("elder").await;
        let mut own = Sse::open(&app, &app.address, &elder, Some("0")).await;
        assert_eq!(own.next(Duration::from_secs(5)).await.expect("replayed from the start").data["entity_id"], id.as_str());
    }
}

db_test! {
    async fn resuming_with_last_event_id_misses_nothing_and_repeats_nothing(app) {
        let s = setup(&app).await;
        let mut first = Sse::open(&app, &app.address, &s.sched, None).await;
        let a = book(&app, &s, "09:00").await;
        let seen = first.next(Duration::from_secs(5)).await.expect("first event");
        assert_eq!(seen.data["entity_id"], a.as_str());
        drop(first);
        let b = book(&app, &s, "10:00").await;
        let r = app.post(&format!("/api/v1/visits/{a}/cancel"), &s.sched, json!({"reason": "改期"})).await;
        assert_eq!(r.status, 200);
        let mut again = Sse::open(&app, &app.address, &s.sched, Some(&seen.id)).await;
        let e1 = again.next(Duration::from_secs(5)).await.expect("missed event 1");
        let e2 = again.next(Duration::from_secs(5)).await.expect("missed event 2");
        assert_eq!((e1.kind.as_str(), e1.data["entity_id"].as_str()), ("visit.booked", Some(b.as_str())));
        assert_eq!((e2.kind.as_str(), e2.data["entity_id"].as_str()), ("visit.cancel", Some(a.as_str())));
        assert!(position(&e1) > position(&seen) && position(&e2) > position(&e1), "{seen:?} {e1:?} {e2:?}");
        assert!(again.next(Duration::from_millis(800)).await.is_none(), "nothing repeated");
        let bad = app.send(app.client.get(app.url("/api/v1/events")).bearer_auth(&s.sched).header("Last-Event-ID", "yesterday")).await;
        assert_eq!(bad.status, 400);
    }
}

// SQLite has one writer at a time, so ids commit in order there (and a held write transaction
// would only make the booking wait): the race exists on PostgreSQL alone.
pg_test! {
    async fn an_event_that_commits_after_a_later_one_is_delivered_first_and_never_missed(app) {
        let s = setup(&app).await;
        let mut sub = Sse::open(&app, &app.address, &s.sched, None).await;
        // A slow writer takes its event id first and commits last.
        let mut slow = app.conn();
        slow.batch_execute("BEGIN").unwrap();
        carelink::events::publish(&mut slow, "visit.booked", "visit", "slow-writer", &[app.org_id("WH-CL-01")], &json!({})).unwrap();
        let fast = book(&app, &s, "09:00").await;
        // Long enough for several polls: a reader going by id alone would send the booking now
        // and never look back at the smaller id.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        slow.batch_execute("COMMIT").unwrap();
        drop(slow);
        let first = sub.next(Duration::from_secs(5)).await.expect("the slow writer's event");
        let second = sub.next(Duration::from_secs(5)).await.expect("the booking's event");
        assert_eq!(first.data["entity_id"], "slow-writer", "{first:?} {second:?}");
        assert_eq!(second.data["entity_id"], fast.as_str());
        assert!(position(&second) > position(&first));
        assert!(sub.next(Duration::from_millis(800)).await.is_none(), "nothing repeated");
    }
}

db_test! {
    async fn a_change_through_one_instance_reaches_a_subscriber_of_another(app) {
        let s = setup(&app).await;
        let other = app.second_instance().await;
        let mut sub = Sse::open(&app, &other.address, &s.sched, None).await;
        let id = book(&app, &s, "11:00").await;
        let e = sub.next(Duration::from_secs(5)).await.expect("the event crosses instances");
        assert_eq!(e.data["entity_id"], id.as_str());
    }
}

db_test! {
    async fn a_deadline_escalation_reaches_the_receiving_desk_and_the_authority(app) {
        let sched = app.token_for("sched.a", Role::Scheduler, Some("WH-CL-01")).await;
        let desk = app.token_for("desk", Role::Hospital, Some("WH-HO-01")).await;
        let admin = app.admin().await;
        let resident = app.resident_of(&sched, "WH-CL-01", "周桂芳").await;
        let mut desk_events = Sse::open(&app, &app.address, &desk, None).await;
        let mut authority = Sse::open(&app, &app.address, &admin, None).await;
        let sent = app.post("/api/v1/referrals", &sched, json!({"resident_id": resident, "direction": "up",
            "to_organization_id": app.org_id("WH-HO-01"), "priority": "green_channel", "reason": "胸痛",
            "diagnosis": {"text": "急性冠脉综合征?"}, "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}})).await;
        assert_eq!(sent.status, 201);
        assert_eq!(desk_events.next(Duration::from_secs(5)).await.unwrap().kind, "referral.received");
        let mut conn = app.conn();
        carelink::referrals::deadlines::scan(&mut conn, &app.settings.referrals, carelink::db::now() + chrono::Duration::minutes(31)).unwrap();
        drop(conn);
        assert_eq!(desk_events.next(Duration::from_secs(5)).await.unwrap().kind, "referral.deadline_passed");
        let mut kinds = vec![];
        while let Some(e) = authority.next(Duration::from_secs(2)).await {
            kinds.push(e.kind);
        }
        assert!(kinds.contains(&"referral.deadline_passed".to_string()), "{kinds:?}");
    }
}

db_test! {
    async fn the_stream_takes_its_token_in_the_query_for_browsers_and_refuses_without_one(app) {
        let s = setup(&app).await;
        let r = app.client.get(app.url(&format!("/api/v1/events?access_token={}", s.sched))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let none = app.send(app.client.get(app.url("/api/v1/events"))).await;
        assert_eq!(none.status, 401);
        // The query token works nowhere else.
        let elsewhere = app.send(app.client.get(app.url(&format!("/api/v1/me?access_token={}", s.sched)))).await;
        assert_eq!(elsewhere.status, 401);
    }
}

db_test! {
    async fn stopping_an_instance_ends_its_event_streams_at_once_and_exits_cleanly(app) {
        let s = setup(&app).await;
        // A minute for requests in flight: an open stream must not hold the stop for that long.
        let mut other = app.second_instance_with(&[("CARELINK_SERVER__SHUTDOWN_TIMEOUT_SECONDS", "60")]).await;
        let mut sub = Sse::open(&app, &other.address, &s.sched, None).await;
        let id = book(&app, &s, "11:00").await;
        assert_eq!(sub.next(Duration::from_secs(5)).await.expect("the stream is live").data["entity_id"], id.as_str());
        let status = other.terminate(Duration::from_secs(20)).await;
        assert!(status.expect("the instance stopped well before its 60 s shutdown timeout").success(), "{status:?}");
        let rest = sub.rest(Duration::from_secs(5)).await.expect("the stream ended");
        assert!(rest.contains("stopping; reconnect"), "{rest:?}");
    }
}

db_test! {
    async fn a_user_holds_a_few_streams_at_once_and_the_next_is_429_until_one_ends(app) {
        let app = crate::helpers::spawn_app_with(app.backend, |s| {
            s.events.max_streams_per_user = 2;
            s.events.heartbeat_seconds = 1;
        }).await;
        let s = setup(&app).await;
        let first = Sse::open(&app, &app.address, &s.sched, None).await;
        let _second = Sse::open(&app, &app.address, &s.sched, None).await;
        let third = app.send(app.client.get(app.url("/api/v1/events")).bearer_auth(&s.sched)).await;
        assert_eq!((third.status, third.problem_code()), (429, "rate_limited".to_string()), "{third:?}");
        // Another user is not held back by this one.
        let other = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let _theirs = Sse::open(&app, &app.address, &other, None).await;
        let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("carelink_event_streams 3"), "{metrics}");
        // Closing a stream gives its place back: the server notices at a write after the client
        // left (a write into a closed connection fails only once the peer's reset is back, so
        // usually the second heartbeat).
        drop(first);
        let mut reopened = 0;
        for _ in 0..250 {
            let r = app.client.get(app.url("/api/v1/events")).bearer_auth(&s.sched).send().await.unwrap();
            if r.status() == 200 {
                reopened = 200;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(reopened, 200, "the closed stream's place was not given back");
    }
}

/// The instance's reads of the outbox so far, from its metrics.
async fn outbox_reads(app: &TestApp) -> u64 {
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("carelink_event_outbox_reads_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no outbox reads metric: {metrics}"))
}

db_test! {
    async fn many_open_streams_share_one_reader_of_the_outbox_and_each_hears_only_its_own(app) {
        let app = crate::helpers::spawn_app_with(app.backend, |s| {
            s.events.poll_milliseconds = 100;
            s.events.max_streams_per_user = 20;
        }).await;
        let s = setup(&app).await;
        let foreign = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let mut first = Sse::open(&app, &app.address, &s.sched, None).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let window = Duration::from_millis(1500);
        let before = outbox_reads(&app).await;
        tokio::time::sleep(window).await;
        let with_one = outbox_reads(&app).await - before;
        let mut mine = vec![];
        for _ in 0..12 {
            mine.push(Sse::open(&app, &app.address, &s.sched, None).await);
        }
        let mut theirs = vec![];
        for _ in 0..4 {
            theirs.push(Sse::open(&app, &app.address, &foreign, None).await);
        }
        tokio::time::sleep(Duration::from_millis(300)).await; // each stream's own catch-up read is over
        let before = outbox_reads(&app).await;
        tokio::time::sleep(window).await;
        let with_seventeen = outbox_reads(&app).await - before;
        assert!(with_one >= 3, "the reader reads every 100 ms: {with_one} reads in 1.5 s");
        assert!(with_seventeen <= with_one + with_one / 2 + 2,
            "17 streams read the outbox {with_seventeen} times in 1.5 s, one stream {with_one} times");
        // Every stream of the clinic hears the booking once; the foreign clinic's hear nothing.
        let id = book(&app, &s, "10:00").await;
        for sse in std::iter::once(&mut first).chain(mine.iter_mut()) {
            let e = sse.next(Duration::from_secs(5)).await.expect("the booking arrives on every stream");
            assert_eq!(e.data["entity_id"], id.as_str());
        }
        for sse in theirs.iter_mut() {
            assert!(sse.next(Duration::from_millis(300)).await.is_none(), "a foreign clinic hears nothing");
        }
    }
}

db_test! {
    async fn a_stream_ends_soon_after_its_session_is_revoked_and_the_others_go_on(app) {
        let app = crate::helpers::spawn_app_with(app.backend, |s| s.events.heartbeat_seconds = 1).await;
        let s = setup(&app).await;
        let other = app.token_for("sched.b", Role::Scheduler, Some("WH-CL-04")).await;
        let mut ending = Sse::open(&app, &app.address, &s.sched, None).await;
        let mut going_on = Sse::open(&app, &app.address, &other, None).await;
        let out = app.send(app.client.post(app.url("/api/v1/auth/logout")).bearer_auth(&s.sched)).await;
        assert!(out.status < 300, "{out:?}");
        assert!(ending.rest(Duration::from_secs(8)).await.is_some(), "the stream of the revoked session ended");
        assert!(going_on.rest(Duration::from_millis(2500)).await.is_none(), "another session's stream goes on");
    }
}
