"""Schemathesis hooks for carelink's fuzzing: "no object of another organisation is returned".

Before each run, `python3 scope.py forbidden BASE USER` lists, through the API, every object the
district admin can see and the fuzzing user cannot (residents, staff, shifts, visits, visit
plans, referrals, planning runs) and writes their ids to CARELINK_FUZZ_FORBIDDEN. During the run
(SCHEMATHESIS_HOOKS=scope):
- half of the generated path ids are replaced by one of those ids, so the fuzzer asks for them;
- the check `no_object_of_another_organisation` fails any response that returns one of those
  objects (an object with that `id`, anywhere in the body).
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


if __name__ == "__main__" and sys.argv[1] == "forbidden":
    base, user = sys.argv[2], sys.argv[3]
    found = forbidden(base, user)
    if not found:
        sys.exit(f"no object of another organisation to look for as {user}: the check would prove nothing")
    json.dump(found, sys.stdout)
    sys.exit(0)

import schemathesis  # noqa: E402 (only inside schemathesis)

FORBIDDEN = set(json.load(open(os.environ["CARELINK_FUZZ_FORBIDDEN"])))
CHOICES = sorted(FORBIDDEN)
PICK = random.Random(20261127)


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    if path_parameters:
        for name in list(path_parameters):
            if name == "id" and PICK.random() < 0.5:
                path_parameters[name] = PICK.choice(CHOICES)
    return path_parameters


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
