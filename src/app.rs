//! Builds the actix application: shared state, middleware and every route, in one place.
use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;
use crate::http::extract;
pub use crate::state::AppState;

/// The OpenAPI document: the info and shared schemas above, the paths collected from the routes
/// that serve them ([`documented`]), then the security scheme and the problem responses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = App::new()
            .into_utoipa_app()
            .openapi(crate::openapi::ApiDoc::openapi())
            .configure(documented)
            .split_for_parts();
        crate::openapi::finish(&mut doc);
        doc
    })
    .clone()
}

/// Registers every route; also used by the tests.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::console::index)
        .service(crate::console::asset)
        .service(crate::console::field_root)
        .service(crate::console::field_asset)
        .route(
            "/api/v1/openapi.json",
            web::get().to(|| async { HttpResponse::Ok().json(openapi()) }),
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
        );
    documented(&mut utoipa_actix_web::service_config::ServiceConfig::new(
        cfg,
    ));
}

/// Every route of the API, in one place: actix serves these, and the OpenAPI document is collected
/// from the same calls (utoipa-actix-web), so a route cannot be served undocumented or documented
/// unserved. Each handler's `#[utoipa::path]` takes its path from its actix attribute.
fn documented(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use crate::ops;
    cfg.service(ops::handlers::healthz)
        .service(ops::handlers::readyz)
        .service(ops::handlers::metrics)
        .service(utoipa_actix_web::scope("/api/v1").configure(api_v1));
}

fn api_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use crate::{audit, auth, catalogue, network, people, programmes, referrals, shifts, visits};
    cfg.service(crate::demo::handlers::demo_info)
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
        .service(visits::handlers::pool)
        .service(visits::handlers::get_visit)
        .service(visits::handlers::schedule_visit)
        .service(visits::handlers::reschedule_visit)
        .service(visits::handlers::cancel_visit)
        .service(visits::handlers::missed_visit)
        .service(visits::handlers::check_in_visit)
        .service(visits::handlers::check_out_visit)
        .service(visits::handlers::clinician_route)
        .service(visits::handlers::create_plan)
        .service(visits::handlers::get_plan)
        .service(visits::handlers::end_plan)
        .service(referrals::handlers::submit)
        .service(referrals::handlers::list)
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
        .service(crate::dayplan::handlers::apply)
        .service(programmes::handlers::list_packages)
        .service(programmes::handlers::update_package)
        .service(programmes::handlers::create_contract)
        .service(programmes::handlers::list_contracts)
        .service(programmes::handlers::get_contract)
        .service(programmes::handlers::terminate_contract)
        .service(programmes::handlers::renew_contract)
        .service(programmes::handlers::list_obligations)
        .service(programmes::handlers::get_obligation)
        .service(programmes::handlers::waive_obligation)
        .service(programmes::handlers::list_referral_drafts)
        .service(programmes::handlers::get_referral_draft)
        .service(programmes::handlers::send_referral_draft)
        .service(programmes::handlers::discard_referral_draft)
        .service(programmes::handlers::run_pass)
        .service(programmes::handlers::programmes_report)
        .service(crate::family::handlers::create_resident_account)
        .service(crate::family::handlers::my_visits)
        .service(crate::family::handlers::give_feedback)
        .service(crate::family::handlers::list_feedback)
        .service(crate::family::handlers::create_complaint)
        .service(crate::family::handlers::list_complaints)
        .service(crate::family::handlers::get_complaint)
        .service(crate::field::handlers::running_late)
        .service(crate::field::handlers::help)
        .service(crate::ltc::handlers::create_assessment)
        .service(crate::ltc::handlers::list_assessments)
        .service(crate::ltc::handlers::entitlements)
        .service(crate::ltc::handlers::claims)
        .service(crate::episodes::handlers::create_episode)
        .service(crate::episodes::handlers::list_episodes)
        .service(crate::episodes::handlers::get_episode)
        .service(crate::episodes::handlers::extend_episode)
        .service(crate::episodes::handlers::close_episode);
}

/// No route took the request: 405 with `Allow` when the path is one of the API's with other
/// methods (from the OpenAPI document, so the two never disagree), else 404.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    let allowed = methods_of(req.path());
    if allowed.is_empty() {
        return Err(AppError::missing("resource"));
    }
    let allow = allowed.join(", ");
    Err(AppError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed here; use {allow}.", req.method()),
    )
    .with_extra(serde_json::json!({ "allow": allowed })))
}

/// The methods the API serves at `path` (path parameters match any one segment).
fn methods_of(path: &str) -> Vec<String> {
    static ROUTES: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        openapi()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_string).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .iter()
                .filter(|(_, has)| *has)
                .map(|(m, _)| m.to_string())
                .collect();
                (segments, methods)
            })
            .collect()
    });
    let asked: Vec<&str> = path.split('/').collect();
    let mut found: Vec<String> = routes
        .iter()
        .filter(|(segments, _)| {
            segments.len() == asked.len()
                && segments
                    .iter()
                    .zip(&asked)
                    .all(|(s, a)| s == a || (s.starts_with('{') && !a.is_empty()))
        })
        .flat_map(|(_, methods)| methods.iter().cloned())
        .collect();
    found.sort();
    found.dedup();
    found
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
            .wrap_fn(|req, srv| {
                // Only a query holding NUL is looked at further (most requests pass at the cost of
                // one scan); a wrong method answers 405 before its query is read (the default service).
                let refuse = extract::nul_in_query(req.query_string()).is_some()
                    && methods_of(req.path())
                        .iter()
                        .any(|m| m == req.method().as_str());
                if refuse {
                    extract::refuse_nul_in_query(req, srv)
                } else {
                    futures_util::future::Either::Left(actix_web::dev::Service::call(srv, req))
                }
            })
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
