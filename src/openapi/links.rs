//! OpenAPI links for the create-then-use chains, so that clients and stateful fuzzers know which
//! id a response hands to which operation (a new visit to its transitions, a referral to its triage).
use utoipa::openapi::{extensions::Extensions, link::Link, OpenApi, RefOr};

/// Adds the links to the success responses of the creating and the transition operations.
pub struct OpenApiLinks;

/// One chain: the operation that answers with the object (path, method, status), where its id
/// is (`$response.body#/id` for the object just made, `$request.path.id` after a transition),
/// and the operations that take that id as `{id}`: (link name, path, method).
struct Chain {
    from: (&'static str, &'static str, &'static str),
    id: &'static str,
    to: &'static [(&'static str, &'static str, &'static str)],
}

const MADE: &str = "$response.body#/id";
const SAME: &str = "$request.path.id";

const VISIT: &str = "/api/v1/visits/{id}";
const VISIT_NEXT: &[(&str, &str, &str)] = &[
    ("get_visit", VISIT, "get"),
    ("schedule_visit", "/api/v1/visits/{id}/schedule", "post"),
    ("reschedule_visit", "/api/v1/visits/{id}/reschedule", "post"),
    ("cancel_visit", "/api/v1/visits/{id}/cancel", "post"),
    ("check_in_visit", "/api/v1/visits/{id}/check-in", "post"),
    ("check_out_visit", "/api/v1/visits/{id}/check-out", "post"),
    ("missed_visit", "/api/v1/visits/{id}/missed", "post"),
];
const REFERRAL: &str = "/api/v1/referrals/{id}";
const REFERRAL_NEXT: &[(&str, &str, &str)] = &[
    ("get_referral", REFERRAL, "get"),
    ("accept_referral", "/api/v1/referrals/{id}/accept", "post"),
    ("reject_referral", "/api/v1/referrals/{id}/reject", "post"),
    ("return_referral", "/api/v1/referrals/{id}/return", "post"),
    (
        "schedule_referral",
        "/api/v1/referrals/{id}/schedule",
        "post",
    ),
    ("arrive_referral", "/api/v1/referrals/{id}/arrive", "post"),
    (
        "complete_referral",
        "/api/v1/referrals/{id}/complete",
        "post",
    ),
    ("cancel_referral", "/api/v1/referrals/{id}/cancel", "post"),
    ("no_show_referral", "/api/v1/referrals/{id}/no-show", "post"),
];
const PLAN_NEXT: &[(&str, &str, &str)] = &[
    ("get_plan", "/api/v1/visit-plans/{id}", "get"),
    ("end_plan", "/api/v1/visit-plans/{id}/end", "post"),
];
const RUN_NEXT: &[(&str, &str, &str)] = &[
    ("get_run", "/api/v1/planning/runs/{id}", "get"),
    ("apply_run", "/api/v1/planning/runs/{id}/apply", "post"),
];
const RESIDENT_NEXT: &[(&str, &str, &str)] = &[
    ("get_resident", "/api/v1/residents/{id}", "get"),
    ("update_resident", "/api/v1/residents/{id}", "patch"),
];
const STAFF_NEXT: &[(&str, &str, &str)] = &[
    ("get_staff", "/api/v1/staff/{id}", "get"),
    ("update_staff", "/api/v1/staff/{id}", "patch"),
    ("clinician_route", "/api/v1/clinicians/{id}/route", "get"),
];
const ORGANIZATION_NEXT: &[(&str, &str, &str)] = &[
    ("get_organization", "/api/v1/organizations/{id}", "get"),
    ("update_organization", "/api/v1/organizations/{id}", "patch"),
];

/// A visit's and a referral's transitions answer with the object, so each leads on to the next
/// (request -> schedule -> check-in -> check-out; submit -> accept -> schedule -> arrive -> complete).
const CHAINS: &[Chain] = &[
    Chain {
        from: ("/api/v1/visits", "post", "201"),
        id: MADE,
        to: VISIT_NEXT,
    },
    Chain {
        from: (VISIT, "get", "200"),
        id: SAME,
        to: VISIT_NEXT,
    },
    Chain {
        from: ("/api/v1/visits/{id}/schedule", "post", "200"),
        id: SAME,
        to: VISIT_NEXT,
    },
    Chain {
        from: ("/api/v1/visits/{id}/reschedule", "post", "200"),
        id: SAME,
        to: VISIT_NEXT,
    },
    Chain {
        from: ("/api/v1/visits/{id}/check-in", "post", "200"),
        id: SAME,
        to: VISIT_NEXT,
    },
    Chain {
        from: ("/api/v1/referrals", "post", "201"),
        id: MADE,
        to: REFERRAL_NEXT,
    },
    Chain {
        from: (REFERRAL, "get", "200"),
        id: SAME,
        to: REFERRAL_NEXT,
    },
    Chain {
        from: ("/api/v1/referrals/{id}/accept", "post", "200"),
        id: SAME,
        to: REFERRAL_NEXT,
    },
    Chain {
        from: ("/api/v1/referrals/{id}/schedule", "post", "200"),
        id: SAME,
        to: REFERRAL_NEXT,
    },
    Chain {
        from: ("/api/v1/referrals/{id}/arrive", "post", "200"),
        id: SAME,
        to: REFERRAL_NEXT,
    },
    Chain {
        from: ("/api/v1/visit-plans", "post", "201"),
        id: MADE,
        to: PLAN_NEXT,
    },
    Chain {
        from: ("/api/v1/planning/runs", "post", "202"),
        id: MADE,
        to: RUN_NEXT,
    },
    Chain {
        from: ("/api/v1/planning/runs/{id}", "get", "200"),
        id: SAME,
        to: RUN_NEXT,
    },
    Chain {
        from: ("/api/v1/residents", "post", "201"),
        id: MADE,
        to: RESIDENT_NEXT,
    },
    Chain {
        from: ("/api/v1/shifts", "post", "201"),
        id: MADE,
        to: &[("get_shift", "/api/v1/shifts/{id}", "get")],
    },
    Chain {
        from: ("/api/v1/staff", "post", "201"),
        id: MADE,
        to: STAFF_NEXT,
    },
    Chain {
        from: ("/api/v1/organizations", "post", "201"),
        id: MADE,
        to: ORGANIZATION_NEXT,
    },
];

/// `#/paths/~1api~1v1~1visits~1%7Bid%7D/get`: a JSON pointer to the operation, as a URI
/// reference (`/` escaped as `~1`, braces percent-encoded). A reference rather than an
/// `operationId`, which need not be unique across handlers of different domains.
fn operation_ref(path: &str, method: &str) -> String {
    let pointer = path.replace('~', "~0").replace('/', "~1");
    format!(
        "#/paths/{}/{method}",
        pointer.replace('{', "%7B").replace('}', "%7D")
    )
}

impl utoipa::Modify for OpenApiLinks {
    fn modify(&self, openapi: &mut OpenApi) {
        for chain in CHAINS {
            let (path, method, status) = chain.from;
            // A renamed path or status drops its links here; the test below catches it.
            let Some(response) = response_mut(openapi, path, method, status) else {
                continue;
            };
            for (name, to_path, to_method) in chain.to {
                // utoipa 5.5 serialises `Link::operation_ref` as `operation_ref`, which no
                // OpenAPI tool reads; the field goes in under its OpenAPI name instead.
                let operation_ref = operation_ref(to_path, to_method);
                let link = Link::builder()
                    .parameter("id", chain.id)
                    .extensions(Some(Extensions::from_iter([(
                        "operationRef",
                        operation_ref,
                    )])))
                    .build();
                response.links.insert((*name).to_string(), RefOr::T(link));
            }
        }
    }
}

fn response_mut<'a>(
    openapi: &'a mut OpenApi,
    path: &str,
    method: &str,
    status: &str,
) -> Option<&'a mut utoipa::openapi::Response> {
    let item = openapi.paths.paths.get_mut(path)?;
    let op = match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "patch" => item.patch.as_mut(),
        _ => None,
    }?;
    match op.responses.responses.get_mut(status)? {
        RefOr::T(response) => Some(response),
        RefOr::Ref(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_starts_at_a_documented_response_and_points_at_a_documented_operation() {
        let mut doc = crate::app::openapi();
        let json = serde_json::to_value(&doc).unwrap();
        for chain in CHAINS {
            let (path, method, status) = chain.from;
            let response = response_mut(&mut doc, path, method, status)
                .unwrap_or_else(|| panic!("no {method} {path} {status} to link from"));
            for (name, to_path, to_method) in chain.to {
                assert!(
                    response.links.contains_key(*name),
                    "{method} {path}: no link {name}"
                );
                let link = serde_json::to_value(&response.links[*name]).unwrap();
                assert_eq!(
                    link["operationRef"],
                    operation_ref(to_path, to_method),
                    "{link}"
                );
                assert!(link.get("operation_ref").is_none(), "{link}");
                let target = &json["paths"][*to_path][*to_method];
                assert!(
                    target.is_object(),
                    "link {name} points at {to_method} {to_path}, which is not documented"
                );
                let takes_id = target["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "id" && p["in"] == "path"));
                assert!(takes_id, "{to_method} {to_path} takes no path parameter id");
            }
        }
    }

    #[test]
    fn an_operation_ref_is_a_json_pointer_in_a_uri_reference() {
        assert_eq!(
            operation_ref("/api/v1/visits/{id}/check-in", "post"),
            "#/paths/~1api~1v1~1visits~1%7Bid%7D~1check-in/post"
        );
    }
}
