#!/usr/bin/env python3
"""Peers of carelink on the generated clinic week (bench/week.sh): PyVRP and Google OR-Tools on
the instance `carelink-bench week --export` writes, one JSON line each, in the shape of
carelink's line ("routes": per shift, in the instance's shift order, the visit numbers in order).

Same problem for all three: one vehicle per shift (a clinician's morning or afternoon of one day),
leaving the shift's start place no earlier than its start and back at its end place by its end;
each visit exactly once, starting within its window (waiting allowed), for its duration; travel
times from the instance's matrix (seconds); the objective is total travel time.

A window that spans days is given to the peers as one copy of the visit per day, holding that
day's part of the window (a single wide window per node would let a node's time fall in a night
wherever a solver does not tie it to a shift), and exactly one copy is to be visited:
- OR-Tools: one node per copy, all copies of a visit in one disjunction (max_cardinality 1) with a
  large penalty, so that it is placed; one vehicle per shift with its start and end node's time
  (CumulVar) bounded by the shift; parallel cheapest insertion and guided local search as in
  bench/peers.py (one thread, deterministic).
- PyVRP: one vehicle type per shift (tw_early/tw_late, start and end depot), each multi-day visit
  as one optional client per day copy in a required, mutually exclusive client group.

    peers_week.py solve [--time-limit S] [--seed N] [--solvers pyvrp,ortools] INSTANCE.json

Needs pyvrp and ortools (bench/week.sh puts them into bench/.venv, as bench/solomon.sh does).
The routes are rechecked by bench/check_week.py.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_week  # noqa: E402

DAY = 86400
PENALTY = 10_000_000  # far above any week's travel: a visit left out costs more than any route


def copies(instance, visit):
    """The visit's day copies: (earliest, latest) of each day its window touches."""
    if not visit["multi_day"]:
        return [(visit["earliest"], visit["latest"])]
    out = []
    for day in range(instance["days"]):
        e = max(visit["earliest"], day * DAY)
        l = min(visit["latest"], (day + 1) * DAY - 1)
        if e <= l:
            out.append((e, l))
    return out


def solve_pyvrp(instance, seconds, seed):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    places = [m.add_location(p["lon"], p["lat"]) for p in instance["places"]]
    horizon = instance["days"] * DAY
    depots = {}

    def depot(place):
        if place not in depots:
            depots[place] = m.add_depot(places[place], tw_early=0, tw_late=horizon)
        return depots[place]

    for s in instance["shifts"]:
        depot(s["start_place"])
        depot(s["end_place"])
    for s in instance["shifts"]:
        m.add_vehicle_type(
            num_available=1,
            start_depot=depot(s["start_place"]),
            end_depot=depot(s["end_place"]),
            tw_early=s["start"],
            tw_late=s["end"],
            name=s["id"],
        )
    client_visit = []
    for v in instance["visits"]:
        windows = copies(instance, v)
        if len(windows) == 1:
            m.add_client(places[v["place"]], service_duration=v["duration"],
                         tw_early=windows[0][0], tw_late=windows[0][1])
            client_visit.append(v["number"])
            continue
        group = m.add_client_group(required=True)
        for e, l in windows:
            m.add_client(places[v["place"]], service_duration=v["duration"], tw_early=e, tw_late=l,
                         required=False, group=group)
            client_visit.append(v["number"])
    matrix = instance["matrix"]
    for a, pa in enumerate(places):
        for b, pb in enumerate(places):
            m.add_edge(pa, pb, distance=matrix[a][b], duration=matrix[a][b])
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    routes = [[] for _ in instance["shifts"]]
    for route in result.best.routes():
        routes[route.vehicle_type()] = [client_visit[a.idx] for a in route if a.is_client()]
    return routes


def solve_ortools(instance, seconds, seed):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed  # OR-Tools' routing search is deterministic and takes no seed.
    shifts, matrix = instance["shifts"], instance["matrix"]
    # Node 0 is the clinic (every shift starts and ends there in this instance; checked below).
    if any(s["start_place"] != 0 or s["end_place"] != 0 for s in shifts):
        raise ValueError("OR-Tools model here assumes every shift starts and ends at place 0")
    node_place, node_service, node_window, node_visit = [0], [0], [None], [None]
    groups = []
    for v in instance["visits"]:
        group = []
        for e, l in copies(instance, v):
            group.append(len(node_place))
            node_place.append(v["place"])
            node_service.append(v["duration"])
            node_window.append((e, l))
            node_visit.append(v["number"])
        groups.append(group)
    n, vehicles = len(node_place), len(shifts)
    horizon = instance["days"] * DAY
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def travel_cb(i, j):
        return matrix[node_place[manager.IndexToNode(i)]][node_place[manager.IndexToNode(j)]]

    def time_cb(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return matrix[node_place[a]][node_place[b]] + node_service[a]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel_cb))
    routing.AddDimension(routing.RegisterTransitCallback(time_cb), horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(*node_window[node])
    for v, s in enumerate(shifts):
        time_dim.CumulVar(routing.Start(v)).SetRange(s["start"], s["end"])
        time_dim.CumulVar(routing.End(v)).SetRange(s["start"], s["end"])
    for group in groups:
        routing.AddDisjunction([manager.NodeToIndex(node) for node in group], PENALTY, 1)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    routes = [[] for _ in shifts]
    if solution is None:
        return routes
    for v in range(vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            routes[v].append(node_visit[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
    return routes


SOLVERS = {"pyvrp": solve_pyvrp, "ortools": solve_ortools}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve an exported week with the peers")
    solve.add_argument("--time-limit", type=float, default=30.0)
    solve.add_argument("--seed", type=int, default=1)
    solve.add_argument("--solvers", default="pyvrp,ortools")
    solve.add_argument("instance")
    args = parser.parse_args()
    unknown = set(args.solvers.split(",")) - set(SOLVERS)
    if unknown:
        parser.error(f"unknown solvers: {', '.join(sorted(unknown))}")
    with open(args.instance) as f:
        instance = json.load(f)
    for solver in args.solvers.split(","):
        started, cpu_started = time.perf_counter(), time.process_time()
        routes = SOLVERS[solver](instance, args.time_limit, args.seed)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        feasible, travel, placed, used, faults = check_week.check(instance, routes)
        for fault in faults:
            print(f"{solver}: {fault}", file=sys.stderr)
        print(json.dumps({
            "instance": instance["name"],
            "solver": solver,
            "travel_seconds": travel,
            "travel_minutes": round(travel / 60, 1),
            "placed": placed,
            "unplaced": len(instance["visits"]) - placed,
            "feasible": feasible,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "routes": routes,
            "shifts_used": used,
            "seed": args.seed,
        }), flush=True)


if __name__ == "__main__":
    main()
