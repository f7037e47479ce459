#!/usr/bin/env python3
"""Peers of carelink's optimiser on Solomon VRPTW instances: PyVRP and Google OR-Tools.

Same convention as `carelink-bench solomon` (see docs/BENCH.md): each arc's length is its
Euclidean distance truncated to one decimal, travel time equals it, service times and windows as
in the file, at most the file's vehicles with its capacity, objective total distance. Both solvers
get integers scaled by 10 (so floor(10 * d) exactly). Every result is rechecked here from its
routes, independently of the solver, and printed as one JSON line with "solver" added.

    peers.py solve [--time-limit S] [--seed N] [--solvers pyvrp,ortools] FILE...
    peers.py table RESULTS.jsonl [--best-known CSV]
    peers.py compare RESULTS.jsonl     (generated instances: each solver against PyVRP)

`table` needs only the standard library; `solve` needs pyvrp and ortools (bench/solomon.sh
installs them into bench/.venv).
"""

import argparse
import csv
import json
import math
import os
import statistics
import sys
import time
from collections import defaultdict

FAMILIES = ["C1", "C2", "R1", "R2", "RC1", "RC2"]


def read_instance(path):
    """Returns (name, vehicles, capacity, customers); customers[0] is the depot, each a tuple
    (number, x, y, demand, ready, due, service)."""
    with open(path) as f:
        lines = [line.split() for line in f]
    name = next(" ".join(words) for words in lines if words)
    fleet, customers = None, []
    for words in lines:
        try:
            row = [float(w) for w in words]
        except ValueError:
            continue
        if len(row) == 2 and fleet is None:
            fleet = (int(row[0]), int(row[1]))
        elif len(row) == 7:
            customers.append((int(row[0]), *row[1:3], int(row[3]), *row[4:7]))
    if fleet is None or len(customers) < 2:
        raise ValueError(f"{path}: not a Solomon instance")
    return name, fleet[0], fleet[1], customers


def arc_tenths(a, b):
    return math.floor(10 * math.hypot(a[1] - b[1], a[2] - b[2]))


def check(vehicles, capacity, customers, routes):
    """Independent check in the CVRPLIB convention: (feasible, distance, faults)."""
    depot, by_number = customers[0], {c[0]: c for c in customers[1:]}
    faults, seen, distance = [], set(), 0.0
    used = [r for r in routes if r]
    for k, route in enumerate(used, 1):
        at, now, load = depot, depot[4], 0
        for number in route:
            c = by_number.get(number)
            if c is None:
                faults.append(f"route {k}: no customer {number}")
                continue
            if number in seen:
                faults.append(f"customer {number} visited twice")
            seen.add(number)
            leg = math.floor(10 * math.hypot(at[1] - c[1], at[2] - c[2])) / 10
            distance += leg
            now = max(now + leg, c[4])
            if now > c[5] + 1e-6:
                faults.append(f"customer {number} starts at {now:.1f}, due {c[5]}")
            now += c[6]
            load += c[3]
            at = c
        leg = math.floor(10 * math.hypot(at[1] - depot[1], at[2] - depot[2])) / 10
        distance += leg
        if now + leg > depot[5] + 1e-6:
            faults.append(f"route {k} back at {now + leg:.1f}, depot due {depot[5]}")
        if load > capacity:
            faults.append(f"route {k} carries {load} > {capacity}")
    missing = set(by_number) - seen
    if missing:
        faults.append(f"{len(missing)} customers not visited")
    if len(used) > vehicles:
        faults.append(f"{len(used)} routes > {vehicles} vehicles")
    return not faults, round(distance, 1), faults


def solve_pyvrp(vehicles, capacity, customers, seconds, seed):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    places = [m.add_location(c[1], c[2]) for c in customers]
    depot = customers[0]
    m.add_depot(places[0], tw_early=round(10 * depot[4]), tw_late=round(10 * depot[5]))
    m.add_vehicle_type(
        num_available=vehicles,
        capacity=capacity,
        tw_early=round(10 * depot[4]),
        tw_late=round(10 * depot[5]),
    )
    for c, place in zip(customers[1:], places[1:]):
        m.add_client(
            place,
            delivery=c[3],
            service_duration=round(10 * c[6]),
            tw_early=round(10 * c[4]),
            tw_late=round(10 * c[5]),
        )
    for a, pa in zip(customers, places):
        for b, pb in zip(customers, places):
            d = arc_tenths(a, b)
            m.add_edge(pa, pb, distance=d, duration=d)
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    numbers = [c[0] for c in customers[1:]]
    return [[numbers[a.idx] for a in route if a.is_client()] for route in result.best.routes()]


def solve_ortools(vehicles, capacity, customers, seconds, seed):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed  # OR-Tools' routing search is deterministic and takes no seed.
    n = len(customers)
    dist = [[arc_tenths(a, b) for b in customers] for a in customers]
    service = [round(10 * c[6]) for c in customers]
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance_cb(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def time_cb(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return dist[a][b] + service[a]

    def demand_cb(i):
        return customers[manager.IndexToNode(i)][3]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance_cb))
    horizon = round(10 * customers[0][5])
    routing.AddDimension(routing.RegisterTransitCallback(time_cb), horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        index = manager.NodeToIndex(node)
        time_dim.CumulVar(index).SetRange(round(10 * customers[node][4]), round(10 * customers[node][5]))
    for v in range(vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(round(10 * customers[0][4]), horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(round(10 * customers[0][4]), horizon)
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(demand_cb), 0, [capacity] * vehicles, True, "load"
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(vehicles):
        index, route = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            route.append(customers[manager.IndexToNode(index)][0])
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


SOLVERS = {"pyvrp": solve_pyvrp, "ortools": solve_ortools}


def read_best_known(path):
    try:
        with open(path) as f:
            return {row[0]: float(row[1]) for row in csv.reader(f) if row and row[0] != "instance"}
    except (OSError, ValueError, IndexError):
        return {}


def cmd_solve(args):
    best = read_best_known(args.best_known or os.path.join(os.path.dirname(args.files[0]), "best_known.csv"))
    for path in args.files:
        name, vehicles, capacity, customers = read_instance(path)
        for solver in args.solvers.split(","):
            started, cpu_started = time.perf_counter(), time.process_time()
            routes = SOLVERS[solver](vehicles, capacity, customers, args.time_limit, args.seed)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            feasible, distance, faults = check(vehicles, capacity, customers, routes)
            for fault in faults:
                print(f"{solver} {name}: {fault}", file=sys.stderr)
            b = best.get(name)
            print(
                json.dumps(
                    {
                        "solver": solver,
                        "instance": name,
                        "vehicles": sum(1 for r in routes if r),
                        "distance": distance,
                        "feasible": feasible,
                        "seconds": round(seconds, 2),
                        "cpu_seconds": round(cpu, 2),
                        "routes": [r for r in routes if r],
                        "best_known": b,
                        "gap_percent": round((distance - b) / b * 100, 2) if b else None,
                        "seed": args.seed,
                    }
                ),
                flush=True,
            )


def cmd_table(args):
    best = read_best_known(args.best_known) if args.best_known else {}
    rows, solvers = defaultdict(dict), []
    with open(args.results) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            solver = r.get("solver", "carelink")
            if solver not in solvers:
                solvers.append(solver)
            rows[r["instance"]][solver] = r
            if r.get("best_known"):
                best.setdefault(r["instance"], r["best_known"])

    def gap(r, name):
        b = best.get(name)
        return (r["distance"] - b) / b * 100 if b and r["feasible"] else None

    head = f"{'instance':<9}{'best':>9}" + "".join(f"{s:>12}{'gap%':>8}" for s in solvers)
    print(head)
    print("-" * len(head))
    for name in sorted(rows, key=lambda n: (FAMILIES.index(family(n)) if family(n) in FAMILIES else 9, n)):
        cells = f"{name:<9}{best.get(name, float('nan')):>9.1f}"
        for s in solvers:
            r = rows[name].get(s)
            if r is None:
                cells += f"{'-':>12}{'':>8}"
                continue
            g = gap(r, name)
            mark = "" if r["feasible"] else "!"
            cells += f"{r['distance']:>11.1f}{mark:1}" + (f"{g:>8.2f}" if g is not None else f"{'inf':>8}")
        print(cells)
    print()
    print(f"{'family':<9}{'n':>9}" + "".join(f"{s + ' mean gap%':>24}" for s in solvers))
    for fam in FAMILIES + ["all"]:
        names = [n for n in rows if fam == "all" or family(n) == fam]
        if not names:
            continue
        cells = f"{fam:<9}{len(names):>9}"
        for s in solvers:
            gaps = [gap(rows[n][s], n) for n in names if s in rows[n]]
            feasible = [g for g in gaps if g is not None]
            text = f"{statistics.mean(feasible):.2f}" if feasible else "-"
            if len(feasible) < len(gaps):
                text += f" ({len(gaps) - len(feasible)} infeasible)"
            cells += f"{text:>24}"
        print(cells)


def cmd_compare(args):
    """Generated instances have no best-known distance: each solver against PyVRP in the same run."""
    rows, solvers = defaultdict(dict), []
    with open(args.results) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                solver = r.get("solver", "carelink")
                if solver not in solvers:
                    solvers.append(solver)
                rows[r["instance"]][solver] = r

    def size(name):
        return int(name.split("_")[1]) if name.count("_") >= 2 else 0

    ref = "pyvrp" if "pyvrp" in solvers else None

    def rel(r, name):
        p = rows[name].get(ref) if ref else None
        if not (p and r["feasible"] and p["feasible"]):
            return None
        return (r["distance"] - p["distance"]) / p["distance"] * 100

    head = f"{'instance':<16}" + "".join(f"{s:>32}" for s in solvers)
    print(head + "    (distance, routes, vs PyVRP %, CPU s; ! = infeasible)")
    print("-" * len(head))
    names = sorted(rows, key=lambda n: (size(n), n))
    for name in names:
        cells = f"{name:<16}"
        for s in solvers:
            r = rows[name].get(s)
            if r is None:
                cells += f"{'-':>32}"
                continue
            g = rel(r, name)
            mark = "" if r["feasible"] else "!"
            cpu = r.get("cpu_seconds")
            text = f"{r['distance']:.1f}{mark} ({r['vehicles']})"
            text += f" {g:+.2f}%" if g is not None and s != ref else ""
            text += f" {cpu:.1f}s" if cpu is not None else ""
            cells += f"{text:>32}"
        print(cells)
    print()
    print(f"{'size':<16}" + "".join(f"{s + ' mean (vs PyVRP)':>32}" for s in solvers))
    for n in sorted({size(n) for n in names}) + ["all"]:
        group = [m for m in names if n == "all" or size(m) == n]
        cells = f"{n!s:<16}"
        for s in solvers:
            rs = [(m, rows[m][s]) for m in group if s in rows[m]]
            ok = [(m, r) for m, r in rs if r["feasible"]]
            if not ok:
                cells += f"{'-':>32}"
                continue
            text = f"{statistics.mean(r['distance'] for _, r in ok):.1f}"
            gaps = [rel(r, m) for m, r in ok]
            gaps = [g for g in gaps if g is not None]
            if s != ref and gaps:
                text += f" ({statistics.mean(gaps):+.2f}%)"
            if len(ok) < len(rs):
                text += f" [{len(rs) - len(ok)} infeasible]"
            cells += f"{text:>32}"
        print(cells)


def family(name):
    letters = name.rstrip("0123456789")
    digits = name[len(letters):]
    return letters + digits[:1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve instances with the peers")
    solve.add_argument("--time-limit", type=float, default=10.0)
    solve.add_argument("--seed", type=int, default=1)
    solve.add_argument("--solvers", default="pyvrp,ortools")
    solve.add_argument("--best-known")
    solve.add_argument("files", nargs="+")
    table = sub.add_parser("table", help="print the side-by-side table of a results file")
    table.add_argument("results")
    table.add_argument("--best-known")
    compare = sub.add_parser("compare", help="each solver against PyVRP (generated instances)")
    compare.add_argument("results")
    args = parser.parse_args()
    if args.command == "solve":
        unknown = set(args.solvers.split(",")) - set(SOLVERS)
        if unknown:
            parser.error(f"unknown solvers: {', '.join(sorted(unknown))}")
        cmd_solve(args)
    elif args.command == "compare":
        cmd_compare(args)
    else:
        cmd_table(args)


if __name__ == "__main__":
    main()
