//! The staff console: a static web app served at `/`, built into the binary (no CDN, works
//! offline). It is one more client of the public API. With CARELINK_CONSOLE_DIR set, the files are
//! read from that folder instead (for working on the console without rebuilding).
use actix_web::{get, web, HttpResponse};

const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../../console/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../console/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../console/app.css"),
    ),
];

fn serve(name: &str) -> HttpResponse {
    let Some((_, mime, embedded)) = FILES.iter().find(|(n, ..)| *n == name) else {
        return HttpResponse::NotFound().finish();
    };
    let body = std::env::var_os("CARELINK_CONSOLE_DIR")
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

#[get("/console/{file}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    serve(&file)
}
