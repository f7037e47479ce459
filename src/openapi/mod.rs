//! The OpenAPI document's frame and finish: the info text and shared schemas (`ApiDoc`), and the
//! passes over the paths collected from the routes (app::openapi): security, problem responses,
//! non-null query parameters, enforced formats, links.
use utoipa::Modify;
use utoipa::OpenApi;

pub mod links;
mod ltc_form;
mod texts;
pub use texts::NON_BLANK;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "carelink",
        description = "carelink is the REST service of Wuhua district's (Kunming) medical-elderly care integration programme: \
the pilot network of communities, clinics, care homes and hospitals; staff and residents; home visits (availability, booking, \
the visit lifecycle, recurring plans, day planning); two-way referral between the grassroots units and the district hospitals; \
care programmes (family-doctor contracts, the visits each resident is owed, draft up-referrals); live events and the unit report.

**Signing in.** `POST /api/v1/auth/token` with `{\"username\", \"password\"}` answers an access token (a JWT, valid for \
`expires_in` seconds) and a single-use refresh token (`POST /api/v1/auth/refresh` swaps it for a new pair). Send the access \
token as `Authorization: Bearer <access_token>` on every other call (in Swagger UI: *Authorize*). `POST /api/v1/auth/logout` \
ends the session at once.

**Conventions.**
- Every error is `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail` and a stable snake_case `code` \
(listed with each response below); a validation error (422 `validation_failed`) lists every bad field in `errors`.
- An object the caller may not see answers 404 `not_found`, exactly as one that does not exist.
- Lists take `?limit=` (1-500, default 50) and `?cursor=` (the `next_cursor` of the previous page) and answer \
`{\"items\": [...], \"next_cursor\": \"...\" | null}`.
- `Idempotency-Key` (1-255 characters) on any POST that changes data (all but `/auth/*`): a retry with the same key and body replays the first answer and changes \
nothing; the same key with another body answers 422 `idempotency_key_reused`. Keys are kept per user for at least 24 hours.
- Objects with a `version` are served with an `ETag`; send it back as `If-Match` on a change, which answers 412 \
`version_mismatch` when the object has changed since.
- Times are served as RFC 3339 in the district's offset to whole seconds (`2026-12-01T09:30:00+08:00`), the same in every \
answer. A plain date (`2026-12-01`) is taken wherever a time is, and means that day in the district's time zone \
(Asia/Shanghai): as a start its first moment, as an end the whole day. Dates and times lie in the years 1900-2100. \
- A 404 names the kind of object in `detail` and `object`; a wrong method on a known path answers 405 with `Allow`. \
An action without fields takes an empty body (or none). Text fields take at most their `maxLength`, else 10,000 characters. \
Ids are UUIDs; service types are named by their `code` (`GET /api/v1/service-types`)."
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::referrals::repo::Mailbox
    ))
)]
pub struct ApiDoc;

/// Applies every pass to a document whose paths were collected from the routes.
pub fn finish(doc: &mut utoipa::openapi::OpenApi) {
    BearerAuth.modify(doc);
    ProblemResponses.modify(doc);
    QueryParamsNotNull.modify(doc);
    EnforcedFormats.modify(doc);
    texts::NonBlankText.modify(doc);
    links::OpenApiLinks.modify(doc);
    ltc_form::LtcForm.modify(doc);
}

/// A query string has no null: an optional query parameter is absent or has a value, so its
/// schema must not admit null (utoipa derives `Option<T>` fields as nullable); `?kind=null` is a
/// bad value, not "no filter".
struct QueryParamsNotNull;

impl utoipa::Modify for QueryParamsNotNull {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        use utoipa::openapi::RefOr;
        fn not_null(schema: &mut RefOr<Schema>) {
            match schema {
                RefOr::T(Schema::Object(o)) => {
                    if let SchemaType::Array(types) = &o.schema_type {
                        let kept: Vec<Type> = types
                            .iter()
                            .filter(|t| **t != Type::Null)
                            .cloned()
                            .collect();
                        if let [only] = kept.as_slice() {
                            o.schema_type = SchemaType::Type(only.clone());
                        }
                    }
                    if let Some(values) = o.enum_values.as_mut() {
                        values.retain(|v| !v.is_null());
                    }
                }
                RefOr::T(Schema::OneOf(one)) => {
                    one.items.retain(|s| !matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null)));
                    if one.items.len() == 1 {
                        *schema = one.items.remove(0);
                    }
                }
                RefOr::T(Schema::Array(a)) => {
                    if let SchemaType::Array(types) = &a.schema_type {
                        if types.contains(&Type::Null) {
                            a.schema_type = SchemaType::Type(Type::Array);
                        }
                    }
                }
                _ => {}
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for p in op.parameters.iter_mut().flatten() {
                    if matches!(p.parameter_in, ParameterIn::Query) {
                        if let Some(schema) = p.schema.as_mut() {
                            not_null(schema);
                        }
                    }
                }
            }
        }
    }
}

/// What the server enforces on every date, time and `Idempotency-Key`, said in the document too:
/// dates and times lie in the years 1900-2100 (`time::FIRST_YEAR`..`LAST_YEAR`); a key is 1 to 255
/// visible ASCII characters and spaces, visible at both ends ([`IDEMPOTENCY_KEY`]).
struct EnforcedFormats;

/// An `Idempotency-Key` as sent: 1 to 255 visible ASCII characters or spaces, opening and closing
/// with a visible one. White space after the value is no part of an HTTP field value (RFC 9110
/// 5.5: the server never sees it), so it may follow, and the length limit has to be in the pattern:
/// `maxLength` would count it. (White space before the value, just as unseen, is left out: HTTP
/// clients such as Python's requests refuse to send it.)
pub const IDEMPOTENCY_KEY: &str = "^[!-~]([ -~]{0,253}[!-~])?[ \\t]*$";

impl utoipa::Modify for EnforcedFormats {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{
            ArrayItems, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
        };
        use utoipa::openapi::RefOr;
        const YEARS: &str = "^(19[0-9]{2}|20[0-9]{2}|2100)-";
        fn walk(schema: &mut RefOr<Schema>, depth: usize) {
            let RefOr::T(s) = schema else { return };
            if depth > 12 {
                return;
            }
            match s {
                Schema::Object(o) => {
                    let dated = matches!(
                        o.format,
                        Some(SchemaFormat::KnownFormat(
                            KnownFormat::Date | KnownFormat::DateTime
                        ))
                    );
                    if dated && o.pattern.is_none() {
                        o.pattern = Some(YEARS.into());
                    }
                    for p in o.properties.values_mut() {
                        walk(p, depth + 1);
                    }
                }
                Schema::Array(a) => {
                    if let ArrayItems::RefOrSchema(item) = &mut a.items {
                        walk(item, depth + 1);
                    }
                }
                Schema::OneOf(one) => one.items.iter_mut().for_each(|i| walk(i, depth + 1)),
                Schema::AllOf(all) => all.items.iter_mut().for_each(|i| walk(i, depth + 1)),
                Schema::AnyOf(any) => any.items.iter_mut().for_each(|i| walk(i, depth + 1)),
                _ => {}
            }
        }
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(|s| walk(s, 0));
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for p in op.parameters.iter_mut().flatten() {
                    if matches!(p.parameter_in, ParameterIn::Header) && p.name == "Idempotency-Key"
                    {
                        p.schema = Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .min_length(Some(1))
                                .pattern(Some(IDEMPOTENCY_KEY))
                                .into(),
                        );
                    } else if let Some(schema) = p.schema.as_mut() {
                        walk(schema, 0);
                    }
                }
                if let Some(body) = op.request_body.as_mut() {
                    for content in body.content.values_mut() {
                        if let Some(schema) = content.schema.as_mut() {
                            walk(schema, 0);
                        }
                    }
                }
            }
        }
    }
}

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
            ("400", "Malformed request: `malformed_json`, `malformed_body` (the body), `invalid_query` (the query string), \
`invalid_cursor` (a `cursor` this API did not issue), `invalid_idempotency_key` (an empty or over-long `Idempotency-Key`)"),
            ("401", "`unauthorized`: missing, invalid or expired bearer token, or its session has ended"),
            ("404", "`not_found`: no such object, or not one the caller may see; `detail` and `object` name its kind (`visit`, `resident`, ...)"),
            ("413", "`payload_too_large`: the body is over the size limit (`server.body_limit_bytes`, 1 MiB by default)"),
            ("415", "`unsupported_media_type`: the body is not `application/json` in UTF-8 (an empty body needs no content type)"),
            ("422", "`validation_failed`: invalid fields, each listed in `errors`"),
            ("429", "`rate_limited`: too many requests; retry after `Retry-After` seconds"),
            ("503", "`database_unavailable`, `database_busy`: the database is unreachable or busy; retry shortly"),
        ];
        let writes = [
            ("403", "`forbidden`: the caller's role may not do this"),
            ("409", "`concurrent_update`: a concurrent change won, read again and retry; `already_exists`: an object with \
the same unique value exists"),
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
