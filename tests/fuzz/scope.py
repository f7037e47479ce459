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
    return {what: sorted(ids(base, tok, what)) for what in LISTS + ["organizations"]}


if __name__ == "__main__" and sys.argv[1] == "forbidden":
    base, user = sys.argv[2], sys.argv[3]
    found = forbidden(base, user)
    if not found:
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
    hospital = call(base, "/api/v1/organizations?kind=hospital&limit=1", tok)["items"][0]["id"]
    made = []

    def attempt(what, path, body):
        try:
            made.append((what, call(base, path, tok, body)["id"]))
        except urllib.error.HTTPError as e:
            print(f"seed {user}: {what} answered {e.code} {e.read().decode()[:300]}", file=sys.stderr)

    attempt("resident", "/api/v1/residents", {"name": "模糊测试", "sex": "male", "birth_date": "1940-02-02",
            "location": {"lat": 25.05, "lon": 102.7}, **({} if me["role"] == "care_home" else
            {"community_id": (call(base, f"/api/v1/organizations/{me['organization_id']}", tok) or {}).get("community_id")})})
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
    attempt("planning run", "/api/v1/planning/runs", {"clinic_id": me["organization_id"], "date": str(day), "time_limit_seconds": 1})
    return made


if __name__ == "__main__" and sys.argv[1] == "seed":
    made = seed(sys.argv[2], sys.argv[3])
    print(", ".join(what for what, _ in made) or "nothing")
    sys.exit(0)

if __name__ == "__main__" and sys.argv[1] == "own":
    json.dump(own(sys.argv[2], sys.argv[3]), sys.stdout)
    sys.exit(0)

import schemathesis  # noqa: E402 (only inside schemathesis)

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
}


def real_id(kind, own_share, forbidden_share):
    """An id of the user's own of `kind`, one of another organisation's, or None (keep the generated one)."""
    roll = PICK.random()
    if roll < own_share and OWN.get(kind):
        return PICK.choice(OWN[kind])
    if roll < own_share + forbidden_share:
        return PICK.choice(CHOICES)
    return None


def swap_fields(values, own_share, forbidden_share):
    if isinstance(values, dict):
        for name in list(values):
            kind = FIELD_KINDS.get(name)
            if kind and isinstance(values[name], (str, type(None))):
                values[name] = real_id(kind, own_share, forbidden_share) or values[name]
    return values


@schemathesis.hook
def map_case(ctx, case):
    path = ctx.operation.path if ctx.operation else ""
    if case.path_parameters and "id" in case.path_parameters:
        head = path.removeprefix("/api/v1/").split("/")[0]
        kind = PATH_KINDS.get(head, head)
        case.path_parameters["id"] = real_id(kind, 0.45, 0.45) or case.path_parameters["id"]
    case.query = swap_fields(case.query, 0.6, 0.2)
    case.body = swap_fields(case.body, 0.6, 0.2)
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
