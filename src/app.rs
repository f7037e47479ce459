//! Builds the actix application: shared state, middleware and every route, in one place.
use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::Keys;
use crate::config::Settings;
use crate::db::Pool;
use crate::error::AppError;
use crate::http::extract;
use crate::openapi_links::OpenApiLinks;
use crate::ops::metrics::Metrics;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub keys: Arc<Keys>,
    pub metrics: Arc<Metrics>,
    pub tz: chrono_tz::Tz,
    pub travel: Arc<dyn crate::planning::travel::TravelModel>,
    /// Turns true when this instance starts to stop: long-lived answers (event streams) end then,
    /// so that the graceful shutdown does not wait for them (see [`stop_on_signal`]).
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// The event streams open on this instance (see `events::limits`).
    pub streams: Arc<crate::events::limits::Streams>,
}

impl AppState {
    pub fn new(settings: Settings, pool: Pool) -> AppState {
        crate::time::set_district_zone(settings.timezone());
        AppState {
            keys: Arc::new(Keys::new(&settings.auth)),
            tz: settings.timezone(),
            travel: Arc::new(crate::planning::travel::GreatCircle::from_settings(
                &settings.travel,
            )),
            settings: Arc::new(settings),
            pool,
            metrics: Arc::new(Metrics::new()),
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
            streams: Arc::default(),
        }
    }

    /// Ends the event streams of this instance; their clients reconnect (to another instance)
    /// and resume with `Last-Event-ID`.
    pub fn stop_streams(&self) {
        self.stopping.send_replace(true);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "carelink", description = "Medical-elderly care integration: the pilot network, people, home visits and two-way referral."),
    paths(
        crate::auth::handlers::login, crate::auth::handlers::refresh, crate::auth::handlers::logout, crate::auth::handlers::me,
        crate::network::handlers::list_organizations, crate::network::handlers::get_organization,
        crate::network::handlers::create_organization, crate::network::handlers::update_organization,
        crate::people::handlers::list_staff, crate::people::handlers::get_staff,
        crate::people::handlers::create_staff, crate::people::handlers::update_staff,
        crate::people::handlers::list_residents, crate::people::handlers::get_resident,
        crate::people::handlers::create_resident, crate::people::handlers::update_resident,
        crate::catalogue::handlers::list_service_types,
        crate::shifts::handlers::list_shifts, crate::shifts::handlers::get_shift, crate::shifts::handlers::create_shift,
        crate::audit::handlers::list_audit,
        crate::visits::handlers::availability, crate::visits::handlers::create_visit, crate::visits::handlers::list_visits,
        crate::visits::handlers::pool, crate::visits::handlers::get_visit, crate::visits::handlers::schedule_visit,
        crate::visits::handlers::reschedule_visit, crate::visits::handlers::cancel_visit, crate::visits::handlers::missed_visit,
        crate::visits::handlers::check_in_visit, crate::visits::handlers::check_out_visit, crate::visits::handlers::clinician_route,
        crate::visits::plans::create_plan, crate::visits::plans::get_plan, crate::visits::plans::end_plan,
        crate::referrals::handlers::submit, crate::referrals::handlers::list, crate::referrals::handlers::get,
        crate::referrals::handlers::response_times, crate::referrals::handlers::accept_referral,
        crate::referrals::handlers::reject_referral, crate::referrals::handlers::return_referral,
        crate::referrals::handlers::schedule_referral, crate::referrals::handlers::arrive_referral,
        crate::referrals::handlers::complete_referral, crate::referrals::handlers::cancel_referral,
        crate::referrals::handlers::no_show_referral,
        crate::events::stream::events,
        crate::reports::handlers::units,
        crate::dayplan::handlers::start, crate::dayplan::handlers::get, crate::dayplan::handlers::apply,
        crate::ops::handlers::healthz, crate::ops::handlers::readyz, crate::ops::handlers::metrics,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError, crate::referrals::repo::Mailbox)),
    modifiers(&BearerAuth, &ProblemResponses, &OpenApiLinks)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every error is `application/problem+json`: documented responses that carry a Problem get that
/// content type, and every operation documents the problems any request may meet.
struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{schema::Ref, ContentBuilder, RefOr, ResponseBuilder};
        const PROBLEM: &str = "application/problem+json";
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        let common = [
            ("400", "Malformed request (JSON, query, cursor, header)"),
            ("401", "Missing or invalid bearer token"),
            ("404", "No such object, or not one the caller may see"),
            ("413", "Body over the size limit"),
            ("415", "Body is not application/json"),
            ("422", "Invalid fields"),
            ("429", "Too many requests"),
            ("503", "Database unreachable"),
        ];
        let writes = [
            ("403", "The caller's role may not do this"),
            ("409", "Conflicts with the current state"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.patch, true),
                (&mut item.put, true),
                (&mut item.delete, true),
            ];
            for (op, write) in ops
                .into_iter()
                .filter_map(|(op, w)| op.as_mut().map(|op| (op, w)))
            {
                if write {
                    for (code, description) in writes {
                        op.responses
                            .responses
                            .entry(code.to_string())
                            .or_insert_with(|| problem(description));
                    }
                }
                for resp in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = resp {
                        let is_problem = r.content.get("application/json").is_some_and(|c| {
                            matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem"))
                        });
                        if is_problem {
                            if let Some(c) = r.content.shift_remove("application/json") {
                                r.content.insert(PROBLEM.to_string(), c);
                            }
                        }
                    }
                }
                for (code, description) in common {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| problem(description));
                }
            }
        }
    }
}

/// Registers every route; also used by the tests.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::{audit, auth, catalogue, network, ops, people, referrals, shifts, visits};
    cfg.service(crate::console::index)
        .service(crate::console::asset)
        .service(ops::handlers::healthz)
        .service(ops::handlers::readyz)
        .service(ops::handlers::metrics)
        .route(
            "/api/v1/openapi.json",
            web::get().to(|| async { HttpResponse::Ok().json(ApiDoc::openapi()) }),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
        .service(
            web::scope("/api/v1")
                .service(auth::handlers::login)
                .service(auth::handlers::refresh)
                .service(auth::handlers::logout)
                .service(auth::handlers::me)
                .service(network::handlers::list_organizations)
                .service(network::handlers::get_organization)
                .service(network::handlers::create_organization)
                .service(network::handlers::update_organization)
                .service(people::handlers::list_staff)
                .service(people::handlers::get_staff)
                .service(people::handlers::create_staff)
                .service(people::handlers::update_staff)
                .service(people::handlers::list_residents)
                .service(people::handlers::get_resident)
                .service(people::handlers::create_resident)
                .service(people::handlers::update_resident)
                .service(catalogue::handlers::list_service_types)
                .service(shifts::handlers::list_shifts)
                .service(shifts::handlers::get_shift)
                .service(shifts::handlers::create_shift)
                .service(audit::handlers::list_audit)
                .service(visits::handlers::availability)
                .service(visits::handlers::create_visit)
                .service(visits::handlers::list_visits)
                // /visits/pool before /visits/{id}, which would take "pool" as an id.
                .service(visits::handlers::pool)
                .service(visits::handlers::get_visit)
                .service(visits::handlers::schedule_visit)
                .service(visits::handlers::reschedule_visit)
                .service(visits::handlers::cancel_visit)
                .service(visits::handlers::missed_visit)
                .service(visits::handlers::check_in_visit)
                .service(visits::handlers::check_out_visit)
                .service(visits::handlers::clinician_route)
                .service(visits::plans::create_plan)
                .service(visits::plans::get_plan)
                .service(visits::plans::end_plan)
                .service(referrals::handlers::submit)
                .service(referrals::handlers::list)
                // Before /referrals/{id}, which would take "response-times" as an id.
                .service(referrals::handlers::response_times)
                .service(referrals::handlers::get)
                .service(referrals::handlers::accept_referral)
                .service(referrals::handlers::reject_referral)
                .service(referrals::handlers::return_referral)
                .service(referrals::handlers::schedule_referral)
                .service(referrals::handlers::arrive_referral)
                .service(referrals::handlers::complete_referral)
                .service(referrals::handlers::cancel_referral)
                .service(referrals::handlers::no_show_referral)
                .service(crate::events::stream::events)
                .service(crate::reports::handlers::units)
                .service(crate::dayplan::handlers::start)
                .service(crate::dayplan::handlers::get)
                .service(crate::dayplan::handlers::apply),
        );
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::missing("resource"))
}

/// Starts serving on `listener`; the returned server runs until stopped through its handle (the
/// binary stops it on SIGTERM/SIGINT, see [`stop_on_signal`]).
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let workers = state.settings.server.workers;
    let shutdown = state.settings.server.shutdown_timeout_seconds;
    let limit = state.settings.server.body_limit_bytes;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(extract::query_config())
            .app_data(extract::path_config())
            .configure(routes)
            .default_service(web::to(not_found))
            .wrap_fn(crate::telemetry::observe)
    })
    .shutdown_timeout(shutdown)
    .disable_signals()
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Waits for SIGTERM or SIGINT, then stops gracefully: event streams end at once, new connections
/// are refused, and requests in flight get `server.shutdown_timeout_seconds` to finish.
pub async fn stop_on_signal(state: AppState, server: actix_web::dev::ServerHandle) {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = actix_web::rt::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = actix_web::rt::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = actix_web::rt::signal::ctrl_c().await;
    tracing::info!("stopping: event streams end now, requests in flight may finish");
    state.stop_streams();
    server.stop(true).await;
}
