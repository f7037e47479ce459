#!/usr/bin/env python3
"""Independent checker of clinic-week solutions (bench/week.sh), written from the instance's
definition and nothing else: it reads the instance exported by `carelink-bench week --export` and
each solver's JSON line (routes: per shift, in the instance's shift order, the visit numbers in
visiting order) and recomputes everything from the matrix.

Rules: every visit exactly once; a route leaves its shift's start place at the shift's start, each
visit starts at the earliest moment it can (arrival, or the window's opening if later: waiting is
allowed) and no later than its window's latest start; the route is back at the shift's end place
by the shift's end. Travel is the sum of the matrix's entries along every route, there and back.

    check_week.py INSTANCE.json RESULTS.jsonl     (prints a table; exit 1 if any is infeasible)

Only the standard library.
"""

import json
import sys


def check(instance, routes):
    """Returns (feasible, travel_seconds, placed, routes_used, faults)."""
    shifts, visits, matrix = instance["shifts"], instance["visits"], instance["matrix"]
    by_number = {v["number"]: v for v in visits}
    faults, seen, travel, used = [], set(), 0, 0
    if len(routes) != len(shifts):
        faults.append(f"{len(routes)} routes for {len(shifts)} shifts")
    for shift, route in zip(shifts, routes):
        if not route:
            continue
        used += 1
        place, now = shift["start_place"], shift["start"]
        for number in route:
            v = by_number.get(number)
            if v is None:
                faults.append(f"{shift['id']}: no visit {number}")
                continue
            if number in seen:
                faults.append(f"visit {number} more than once")
            seen.add(number)
            leg = matrix[place][v["place"]]
            travel += leg
            now = max(now + leg, v["earliest"])
            if now > v["latest"]:
                faults.append(f"visit {number} starts at {clock(now)}, latest {clock(v['latest'])}")
            now += v["duration"]
            place = v["place"]
        leg = matrix[place][shift["end_place"]]
        travel += leg
        if now + leg > shift["end"]:
            faults.append(f"{shift['id']} back at {clock(now + leg)}, shift ends {clock(shift['end'])}")
    missing = set(by_number) - seen
    if missing:
        faults.append(f"{len(missing)} visits not placed: {sorted(missing)[:10]}")
    return not faults, travel, len(seen), used, faults


def clock(t):
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    d, rest = divmod(int(t), 86400)
    return f"{days[d % 7]} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        instance = json.load(f)
    rows = []
    with open(sys.argv[2]) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    bad = 0
    print(f"instance {instance['name']}: {len(instance['visits'])} visits "
          f"({sum(v['multi_day'] for v in instance['visits'])} multi-day), {len(instance['shifts'])} shifts")
    head = f"{'solver':<10}{'travel s':>10}{'travel min':>12}{'routes':>8}{'placed':>8}{'feasible':>10}" \
           f"{'vs best':>9}{'seconds':>9}{'CPU s':>7}  (solver's own travel, if it differs)"
    print(head)
    print("-" * len(head))
    checked = []
    for r in rows:
        ok, travel, placed, used, faults = check(instance, r.get("routes", []))
        for fault in faults:
            print(f"{r.get('solver')}: {fault}", file=sys.stderr)
        checked.append((r, ok, travel, placed, used))
        bad += not ok
    best = min((t for _, ok, t, _, _ in checked if ok), default=None)
    for r, ok, travel, placed, used in checked:
        own = r.get("travel_seconds")
        note = f"  ({own})" if own is not None and own != travel else ""
        vs = f"{(travel - best) / best * 100:+.2f}%" if ok and best else "-"
        cpu = r.get("cpu_seconds")
        print(f"{r.get('solver', '?'):<10}{travel:>10}{travel / 60:>12.1f}{used:>8}{placed:>8}"
              f"{'yes' if ok else 'NO':>10}{vs:>9}{r.get('seconds', 0):>9.1f}"
              f"{(f'{cpu:.1f}' if cpu is not None else '-'):>7}{note}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
