"""Schemathesis hooks for carelink's fuzzing: real ids, and "no object of another organisation".

Before each run, `python3 scope.py forbidden BASE USER` lists, through the API, every object the
district admin can see and the fuzzing user cannot (residents, staff, shifts, visits, visit
plans, referrals, planning runs) and writes their ids to CARELINK_FUZZ_FORBIDDEN;
`python3 scope.py own BASE USER` writes the ids the user can see, by kind, to CARELINK_FUZZ_OWN.
During the run (SCHEMATHESIS_HOOKS=scope):
- ids in paths, queries and bodies are often replaced by real ones: the user's own objects of the
  right kind (so requests get past "not found" into the code behind it) or another organisation's
  (so the fuzzer asks for what it must not get);
- the check `no_object_of_another_organisation` fails any response that returns one of the
  forbidden objects (an object with that `id`, anywhere in the body).
"""
import json
import os
import random
import sys
import urllib.request

LISTS = ["residents", "staff", "shifts", "visits", "visit-plans", "referrals", "planning/runs"]


def call(base, path, token=None, body=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def token(base, user):
    return call(base, "/api/v1/auth/token", body={"username": user, "password": "carelink-demo-2026"})["access_token"]


def ids(base, tok, what):
    """Every id a list endpoint shows this caller (all pages); none if the caller may not list it."""
    found, cursor = set(), None
    while True:
        sep = "&" if "?" in what else "?"
        path = f"/api/v1/{what}{sep}limit=100" + (f"&cursor={cursor}" if cursor else "")
        try:
            page = call(base, path, tok)
        except urllib.error.HTTPError:
            return found
        found.update(item["id"] for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def forbidden(base, user):
    admin, own = token(base, "admin"), token(base, user)
    out = set()
    for what in LISTS:
        out |= ids(base, admin, what) - ids(base, own, what)
    return sorted(out)


def own(base, user):
    tok = token(base, user)
    out = {what: sorted(ids(base, tok, what)) for what in LISTS + ["organizations"]}
    me = call(base, "/api/v1/me", tok)
    out["me"] = {"id": me["id"], "organization_id": me.get("organization_id")}
    out["hospitals"] = sorted(ids(base, tok, "organizations?kind=hospital"))
    out["clinicians"] = sorted(ids(base, tok, "staff?role=clinician"))
    return out


if __name__ == "__main__" and sys.argv[1] == "forbidden":
    base, user = sys.argv[2], sys.argv[3]
    found = forbidden(base, user)
    # The district admin sees everything, so there is nothing to leak; for anyone else an empty
    # list means the check would prove nothing.
    if not found and call(base, "/api/v1/me", token(base, user))["role"] != "admin":
        sys.exit(f"no object of another organisation to look for as {user}: the check would prove nothing")
    json.dump(found, sys.stdout)
    sys.exit(0)

def seed(base, user):
    """Gives the user objects of their own to fuzz: residents, visits (booked and in the pool), a
    visit plan, a referral and a planning run, as far as their role may make them."""
    import datetime
    tok = token(base, user)
    me = call(base, "/api/v1/me", tok)
    day = datetime.date.today() + datetime.timedelta(days=1)
    while day.weekday() >= 5:  # the demo's clinicians work on weekdays
        day += datetime.timedelta(days=1)
    window = {"window_start": f"{day}T08:00:00+08:00", "window_end": f"{day}T17:00:00+08:00"}
    made = []
    if me["role"] == "resident":  # a resident's family makes nothing through these endpoints
        return made
    hospital = call(base, "/api/v1/organizations?kind=hospital&limit=1", tok)["items"][0]["id"]

    def attempt(what, path, body):
        try:
            made.append((what, call(base, path, tok, body)["id"]))
        except urllib.error.HTTPError as e:
            print(f"seed {user}: {what} answered {e.code} {e.read().decode()[:300]}", file=sys.stderr)

    # The admin's own organisation is the authority: it stands in no community and plans no day.
    clinic = (call(base, "/api/v1/organizations?kind=clinic&limit=1", tok)["items"][0]["id"]
              if me["role"] == "admin" else me["organization_id"])
    community = (call(base, f"/api/v1/organizations/{clinic}", tok) or {}).get("community_id")
    attempt("resident", "/api/v1/residents", {"name": "模糊测试", "sex": "male", "birth_date": "1940-02-02",
            "location": {"lat": 25.05, "lon": 102.7}, **({} if me["role"] == "care_home" else {"community_id": community})})
    residents = sorted(ids(base, tok, "residents"))
    if not residents:
        return made
    r = residents[0]
    attempt("visit in the pool", "/api/v1/visits", {"resident_id": r, "service_type": "blood_pressure_check", **window, "auto_assign": False})
    attempt("booked visit", "/api/v1/visits", {"resident_id": r, "service_type": "blood_pressure_check", **window})
    attempt("visit plan", "/api/v1/visit-plans", {"resident_id": r, "service_type": "blood_pressure_check", "weekdays": [1, 3, 5],
            "window": {"from": "09:00", "to": "11:00"}, "starts_on": str(day), "count": 3})
    attempt("referral", "/api/v1/referrals", {"resident_id": r, "direction": "up", "to_organization_id": hospital,
            "reason": "复查", "diagnosis": {"text": "高血压"}, "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}})
    attempt("planning run", "/api/v1/planning/runs", {"clinic_id": clinic, "date": str(day), "time_limit_seconds": 1})
    return made


if __name__ == "__main__" and sys.argv[1] == "seed":
    made = seed(sys.argv[2], sys.argv[3])
    print(", ".join(what for what, _ in made) or "nothing")
    sys.exit(0)

if __name__ == "__main__" and sys.argv[1] == "own":
    json.dump(own(sys.argv[2], sys.argv[3]), sys.stdout)
    sys.exit(0)

import schemathesis  # noqa: E402 (only inside schemathesis)
import bundle_cache  # noqa: E402 (tests/fuzz is on PYTHONPATH)

# Speed only: validators compiled once per bundle content, not per copy (bundle_cache.py).
bundle_cache.install()

FORBIDDEN = set(json.load(open(os.environ["CARELINK_FUZZ_FORBIDDEN"])))
CHOICES = sorted(FORBIDDEN)
OWN = json.load(open(os.environ["CARELINK_FUZZ_OWN"])) if os.environ.get("CARELINK_FUZZ_OWN") else {}
PICK = random.Random(20261127)

# The kind of object a path names (after /api/v1/) and a field refers to.
PATH_KINDS = {"clinicians": "staff", "planning": "planning/runs"}
FIELD_KINDS = {
    "resident_id": "residents", "clinician_id": "staff", "family_doctor_id": "staff", "visit_id": "visits",
    "clinic_id": "organizations", "organization_id": "organizations", "to_organization_id": "organizations",
    "community_id": "organizations", "parent_referral_id": "referrals", "plan_id": "visit-plans",
    "responsible_clinician_id": "staff", "referral_id": "referrals",
}


def real_id(kind, own_share, forbidden_share):
    """An id of the user's own of `kind`, one of another organisation's, or None (keep the generated one)."""
    roll = PICK.random()
    if roll < own_share and OWN.get(kind):
        return PICK.choice(OWN[kind])
    if roll < own_share + forbidden_share and CHOICES:
        return PICK.choice(CHOICES)
    return None


def swap_fields(values, own_share, forbidden_share):
    if isinstance(values, dict):
        for name in list(values):
            kind = FIELD_KINDS.get(name)
            if kind and isinstance(values[name], (str, type(None))):
                values[name] = real_id(kind, own_share, forbidden_share) or values[name]
    return values


TEXT_FILTERS = {"code", "service_type", "entity"}


def next_weekday():
    import datetime
    day = datetime.date.today() + datetime.timedelta(days=1)
    while day.weekday() >= 5:  # the demo's clinicians work on weekdays
        day += datetime.timedelta(days=1)
    return day


DAY = next_weekday()


def pick(kind):
    return PICK.choice(OWN[kind]) if OWN.get(kind) else None


def plausible(method, path, body):
    """Fields that make a create or an action go through, for the chains the stateful phase follows
    (create a visit, then schedule, check in, check out; submit a referral, then act on it): random
    strings almost never name a service type, a time in a clinician's shift or a hospital, so
    without this nearly every chain stops at its first 422. Applied to some cases only; the rest
    stay as generated."""
    day = str(DAY)
    fields = {}
    if (method, path) == ("POST", "/api/v1/visits"):
        fields = {"resident_id": pick("residents"), "service_type": "blood_pressure_check",
                  "window_start": f"{day}T08:00:00+08:00", "window_end": f"{day}T17:00:00+08:00"}
        for k in ("clinician_id", "starts_at"):
            body.pop(k, None)
    elif (method, path) == ("POST", "/api/v1/visit-plans"):
        fields = {"resident_id": pick("residents"), "service_type": "blood_pressure_check", "weekdays": [1, 3, 5],
                  "window": {"from": "09:00", "to": "11:00"}, "starts_on": day, "count": 3}
        for k in ("until", "clinician_id"):
            body.pop(k, None)
    elif (method, path) == ("POST", "/api/v1/referrals"):
        fields = {"resident_id": pick("residents"), "direction": "up", "to_organization_id": pick("hospitals"),
                  "reason": "复查", "diagnosis": {"text": "高血压"},
                  "clinical_summary": {"past_history": "无", "treatment_so_far": "无"}}
        for k in ("parent_referral_id", "follow_up"):
            body.pop(k, None)
    elif (method, path) == ("POST", "/api/v1/planning/runs"):
        fields = {"clinic_id": OWN.get("me", {}).get("organization_id"), "date": day, "time_limit_seconds": 1}
    elif (method, path) == ("POST", "/api/v1/shifts"):
        fields = {"clinician_id": pick("clinicians"), "starts_at": f"{day}T18:00:00+08:00", "ends_at": f"{day}T20:00:00+08:00"}
    elif path == "/api/v1/visits/{id}/schedule" or path == "/api/v1/visits/{id}/reschedule":
        fields = {"clinician_id": pick("clinicians"), "starts_at": f"{day}T{PICK.randint(8, 15):02d}:{PICK.choice(['00', '30'])}:00+08:00"}
    elif path in ("/api/v1/visits/{id}/check-in", "/api/v1/visits/{id}/check-out"):
        fields = {"lat": 25.05, "lon": 102.7}
    body.update({k: v for k, v in fields.items() if v is not None})
    return body


@schemathesis.hook
def map_case(ctx, case):
    path = ctx.operation.path if ctx.operation else ""
    # In the stateful phase an id in the path comes from an OpenAPI link (the object just made):
    # keep it, or the chain create -> act on it breaks.
    stateful = getattr(getattr(case.meta, "phase", None), "name", None) == "stateful"
    if case.path_parameters and "id" in case.path_parameters and not stateful:
        head = path.removeprefix("/api/v1/").split("/")[0]
        kind = PATH_KINDS.get(head, head)
        case.path_parameters["id"] = real_id(kind, 0.45, 0.45) or case.path_parameters["id"]
    case.query = swap_fields(case.query, 0.6, 0.2)
    case.body = swap_fields(case.body, 0.6, 0.2)
    # NUL in a query string is valid for the schema and unstorable for PostgreSQL (a 500 there once
    # went unseen): generated strings rarely carry one, so some cases get one on purpose.
    # (Fuzzing phase only: the coverage phase's wrong-method cases must meet the router, not this.)
    fuzzing = getattr(getattr(case.meta, "phase", None), "name", None) == "fuzzing"
    # Only ids and free-text filters: a NUL after a date or an enum value makes it schema-invalid.
    if case.query and fuzzing and PICK.random() < 0.15:
        texts = [k for k, v in case.query.items() if isinstance(v, str) and (k.endswith("_id") or k in TEXT_FILTERS)]
        if texts:
            name = PICK.choice(texts)
            case.query[name] = case.query[name] + "\x00"
    if isinstance(case.body, dict) and PICK.random() < (0.7 if stateful else 0.3):
        case.body = plausible(case.method.upper(), path, case.body)
    return case


def object_ids(value):
    """The `id` of every object in a JSON body, however deep (references such as `clinician_id`
    may rightly name another organisation's object; returning the object itself may not)."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for v in value.values():
            yield from object_ids(v)
    elif isinstance(value, list):
        for v in value:
            yield from object_ids(v)


@schemathesis.check
def no_object_of_another_organisation(ctx, response, case):
    try:
        body = json.loads(response.text or "null")
    except ValueError:
        body = None
    leaked = set(object_ids(body)) & FORBIDDEN
    if leaked:
        raise AssertionError(f"the response carries {len(leaked)} object(s) of another organisation, e.g. {sorted(leaked)[0]}")


# --- schema-valid requests that carelink rightly refuses -----------------------------------------
# positive_data_acceptance fails any 4xx to data the schema allows. These rules cannot be said in
# JSON Schema (or are documented as intended), so a 422 that names only them is right; a 422 with
# any other message (a length, a range, a format the document does not declare) still fails.
import re  # noqa: E402

from schemathesis.core import NotSet  # noqa: E402

REFERENCE_OR_CROSS_FIELD = re.compile(
    "|".join([
        # a field that names another object must name one of the right kind the caller may use
        r"^must be the id of an? ", r"^no such organisation$", r"^must be an active clinician of the serving clinic",
        r"^must be a clinician of your clinic", r"^must be an up-referral of this resident",
        r"^is a visit of another resident", r"^unknown service type$", r"^only a resident login has one$",
        r"^an up-referral goes to a district hospital$", r"^a down-referral goes to a clinic or care home$",
        # one field against another, or against today
        r"^must be after ", r"^must be within a year after ", r"^is required with(out)? ",
        r"^is required for (this role|this kind|a task not done|a resident login|a visit that has no clinician yet)",
        r"^is required \(unless ", r"^is in the past$", r"^must be a real birth date in the past$",
        r"^is not a valid 18-character national ID number$",  # a checksum
        r"^the window spans at most ", r"^a shift lasts at most ", r"^only care homes sign with a clinic",
        r"stands in no community$", r"^only a down-referral ", r"^give either ",
        r"^no clinician of the clinic has a shift that (day|week)$",
        # planning runs: a repair's fields go with mode repair and its reason; its visit or clinician
        # must be found in the clinic's day (requested, under way, on shift); a break lies in its shift
        r"^is only for (mode repair|mode plan|the reason overrun)$", r"^is required for mode repair$",
        r"^is required when the reason is (clinician_absent|urgent_visit|overrun)$",
        r"^must be the day of the repair", r"^must be a clinician of the clinic with a shift that day$",
        r"^must be a requested visit of the clinic whose window meets the rest of the day$",
        r"^must be a visit under way of the clinic's day$",
        r"^a break (lies within its shift|overlaps another)$",
        # which members of `clinical_summary` a referral needs depends on its `direction`
        r"^is required for (an up|a down)-referral$",
        # `organization_id` against `role` (a resident login or the district admin has none)
        r"^this role belongs to no organisation$",
        # care programmes: a contract starts within a year of today and names a clinician of the
        # resident's clinic as family doctor; a waiver for `other` needs a comment
        r"^must be within a year of today$", r"^must be an active clinician of the resident's clinic$",
        r"^is required when the reason is other$",
        # a package fits a resident's age and conditions; items name the catalogue's service types and
        # the rules' condition groups (data in the database and config/seed, not in the document)
        r"^is not for this resident", r"^is not an active package$", r"^is not a service type of the catalogue$",
        r"^must name known condition groups",
        # a resident login names a resident record of the database
        r"^is not a known resident$",
        # home sickbeds: the clinician is the opening clinic's, the referral a down-referral of the
        # resident to it; the last day runs from today up to episodes.max_days (config), an
        # extension from the current last day; a plan owes something and names each service once
        r"^must be an active clinician of (the opening clinic|a clinic)$",
        r"^must be a down-referral of this resident to the opening clinic$",
        r"^must not be in the past$", r"^must be at most \d+ days (ahead|after the current last day)",
        r"^must be after the current last day", r"^must owe at least one visit a week$",
        r"^appears twice$", r"^is the rounds' service type",
        r"^name the clinician responsible for the home sickbed",
    ])
)
# Text with a NUL character is refused with 422 (PostgreSQL cannot store it; docs/API.md and the
# coming change "bodies with NUL characters are 4xx"), though the document does not say so yet.
NUL = "must not contain the NUL character"
DROPPED = os.environ.get("CARELINK_FUZZ_DROPPED")


def dropped(reason):
    if DROPPED:
        with open(DROPPED, "a") as out:
            out.write(reason + "\n")
    return False


ACTION = re.compile(r"^/api/v1/[a-z-/]+/\{id\}/[a-z-]+$")


def problem_code(response):
    try:
        problem = response.json()
    except Exception:
        return None
    return problem.get("code") if isinstance(problem, dict) else None


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    kind = type(failure).__name__
    # "Actions without fields need no body" (README, docs/API.md): an action whose fields are all
    # optional (accept, arrive, no-show, end, apply) rightly takes a POST with no body at all.
    if kind == "AcceptedNegativeData" and case.method.upper() == "POST" and ACTION.match(case.operation.path) \
            and (case.body is None or isinstance(case.body, NotSet)) and "Missing request body" in failure.message:
        body = case.operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        schema = body.get("schema", {})
        if "$ref" in schema:
            schema = case.operation.schema.raw_schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if not schema.get("required"):
            return dropped("2xx for an action without fields sent without a body")
    headers = {k.lower() for k in (case.headers or {})}
    code = problem_code(response)
    # A made-up If-Match names a version the object never had, and a reused Idempotency-Key with
    # another body is refused: both are the contract (docs/API.md), whatever else the data is.
    if response.status_code == 412 and code == "version_mismatch" and "if-match" in headers:
        return dropped("412 version_mismatch for a made-up If-Match")
    if response.status_code == 422 and code == "idempotency_key_reused" and "idempotency-key" in headers:
        return dropped("422 idempotency_key_reused for a key reused with another body")
    if kind != "RejectedPositiveData":
        return True
    try:
        problem = response.json()
    except Exception:
        return True
    code = problem.get("code") if isinstance(problem, dict) else None
    # A cursor is opaque: only one the API issued is valid, so a made-up one (any string the
    # schema allows) is "400 invalid_cursor", as an id that names nothing is 404.
    if response.status_code == 400 and code == "invalid_cursor" and "cursor" in (case.query or {}):
        return dropped("400 invalid_cursor for a made-up cursor")
    if response.status_code == 422 and code == "validation_failed" and problem.get("errors"):
        messages = [e.get("message", "") for e in problem["errors"]]
        if all(NUL in m for m in messages):
            return dropped("422 for text with a NUL character")
        if all(NUL in m or REFERENCE_OR_CROSS_FIELD.search(m) for m in messages):
            return dropped("422 for a reference to the wrong object or a cross-field rule")
    return True
