//! The staff console, a static web app served at `/`, and the clinicians' field app at `/field/`
//! (installable, offline-first), both built into the binary (no CDN). Each is one more client of
//! the public API. With CARELINK_CONSOLE_DIR (CARELINK_FIELD_DIR) set, the files are read from that
//! folder instead (for working on them without rebuilding).
use actix_web::{get, web, HttpResponse};

/// One ES module of console/js/, served as `/console/js/<name>` (module scripts need a JavaScript
/// content type).
macro_rules! module {
    ($name:literal) => {
        (
            concat!("js/", $name),
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../console/js/", $name)),
        )
    };
}

/// Every file the console has: only these are served (by name, so never a path outside console/).
const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../console/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../console/app.css"),
    ),
    module!("main.js"),
    module!("alerts.js"),
    module!("api.js"),
    module!("booking.js"),
    module!("care-contract.js"),
    module!("care.js"),
    module!("dates.js"),
    module!("day.js"),
    module!("dom.js"),
    module!("drafts.js"),
    module!("errors.js"),
    module!("events.js"),
    module!("i18n.js"),
    module!("login.js"),
    module!("ltc.js"),
    module!("names.js"),
    module!("obligations.js"),
    module!("overdue.js"),
    module!("planner.js"),
    module!("referral-actions.js"),
    module!("referral-detail.js"),
    module!("referrals.js"),
    module!("report.js"),
    module!("residents.js"),
    module!("session.js"),
    module!("sickbed.js"),
    module!("state.js"),
    module!("strings-care.js"),
    module!("strings-referrals.js"),
    module!("strings.js"),
    module!("timeline.js"),
    module!("visits.js"),
    module!("vitals.js"),
    module!("voice.js"),
    module!("widgets.js"),
];

/// One ES module of field/js/, served as `/field/js/<name>`.
macro_rules! field_module {
    ($name:literal) => {
        (
            concat!("js/", $name),
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../field/js/", $name)),
        )
    };
}

/// Every file of the field app (`/field/...`). The service worker is served from `/field/` so its
/// scope is the app.
const FIELD_FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../field/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../field/app.css"),
    ),
    (
        "manifest.webmanifest",
        "application/manifest+json",
        include_str!("../../field/manifest.webmanifest"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../field/icon.svg"),
    ),
    (
        "sw.js",
        "text/javascript; charset=utf-8",
        include_str!("../../field/sw.js"),
    ),
    field_module!("family.js"),
    field_module!("main.js"),
    field_module!("net.js"),
    field_module!("queue.js"),
    field_module!("store.js"),
    field_module!("strings.js"),
    field_module!("visit.js"),
];

fn serve(name: &str) -> HttpResponse {
    serve_from(FILES, "CARELINK_CONSOLE_DIR", name)
}

fn serve_from(files: &[(&str, &str, &str)], dir_var: &str, name: &str) -> HttpResponse {
    let Some((_, mime, embedded)) = files.iter().find(|(n, ..)| *n == name) else {
        return HttpResponse::NotFound().finish();
    };
    let body = std::env::var_os(dir_var)
        .and_then(|dir| std::fs::read_to_string(std::path::Path::new(&dir).join(name)).ok())
        .unwrap_or_else(|| embedded.to_string());
    HttpResponse::Ok()
        .content_type(*mime)
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'",
        ))
        .body(body)
}

#[get("/")]
pub async fn index() -> HttpResponse {
    serve("index.html")
}

// `{file:.*}`: the modules are one folder down (`/console/js/main.js`).
#[get("/console/{file:.*}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    serve(&file)
}

#[get("/field")]
pub async fn field_root() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/field/"))
        .finish()
}

/// The field app: `/field/` is its page, `/field/js/main.js` a module, `/field/sw.js` its worker.
#[get("/field/{file:.*}")]
pub async fn field_asset(file: web::Path<String>) -> HttpResponse {
    let name = if file.is_empty() { "index.html" } else { &file };
    serve_from(FIELD_FILES, "CARELINK_FIELD_DIR", name)
}

#[cfg(test)]
mod tests {
    /// A module added to console/js/ (field/js/) but not to FILES (FIELD_FILES) would be missing
    /// from the binary.
    #[test]
    fn every_module_is_embedded() {
        for (dir, files) in [
            ("console/js", super::FILES),
            ("field/js", super::FIELD_FILES),
        ] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                let name = format!("js/{}", entry.unwrap().file_name().to_string_lossy());
                assert!(
                    files.iter().any(|(n, ..)| *n == name),
                    "{name} is not embedded"
                );
            }
        }
    }
}
