#!/usr/bin/env python3
"""The module import graph of src/ (the library crate), and the house rules on it
(docs/ARCHITECTURE.md): no cycle between files, no import from a model or repo up into HTTP
(http, handlers, app, state), no model using the HTTP error type (error.rs: models say
domain_error.rs's DomainError), and no .rs file in src/ (bin/ and test modules included) over
400 lines. Prints the figures; exits 1 when a rule is broken.

    python3 .ci/imports.py            # check
    python3 .ci/imports.py --graph    # also print every edge

Paths are read from the text: `use crate::a::b::{c, d}`, `use super::x`, and inline
`crate::a::b::f()`; each is resolved to the longest module that has a file. It is an
approximation of rustc's resolution, good enough for one crate that names modules plainly.
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

# Issue 12: a file is split by concept before it grows past this many lines.
MAX_LINES = 400


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return tuple(rel)


def files():
    for root, _, names in os.walk(SRC):
        for n in names:
            p = os.path.join(root, n)
            if not n.endswith(".rs"):
                continue
            rel = os.path.relpath(p, SRC)
            if rel == "main.rs" or rel.startswith("bin" + os.sep):
                continue  # separate crates that use the library by its name
            yield p


def expand(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (text only)."""
    tree = re.sub(r"\s+", "", tree)
    m = re.match(r"^(.*?)\{(.*)\}$", tree)
    if not m:
        return [tree]
    prefix, inner = m.groups()
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    if cur:
        parts.append(cur)
    out = []
    for p in parts:
        out += [prefix + x for x in expand(p)]
    return out


def too_long():
    """Every .rs file under src/ (the binaries too) over MAX_LINES, as (lines, path), longest first."""
    out = []
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(root, n)
                with open(p, encoding="utf-8") as f:
                    lines = sum(1 for _ in f)
                if lines > MAX_LINES:
                    out.append((lines, os.path.relpath(p, SRC)))
    return sorted(out, reverse=True)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] if not line.strip().startswith("//") else "" for line in text.split("\n"))


def main():
    mods = {}
    for p in files():
        mods[module_of(p)] = p
    edges = {m: set() for m in mods}

    def resolve(segs):
        for n in range(len(segs), 0, -1):
            if tuple(segs[:n]) in mods:
                return tuple(segs[:n])
        return None

    for m, p in mods.items():
        text = strip_comments(open(p, encoding="utf-8").read())
        # cfg(test) modules are tests, not part of the shape.
        text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
        is_mod_file = os.path.basename(p) in ("mod.rs", "lib.rs")
        paths = []
        for use in re.findall(r"\buse\s+([^;]+);", text):
            paths += expand(use)
        paths += re.findall(r"\bcrate(?:::\w+)+", text)
        for raw in paths:
            raw = raw.split(" as ")[0]
            segs = [s for s in raw.split("::") if s]
            if not segs:
                continue
            if segs[0] == "crate":
                segs = segs[1:]
            elif segs[0] in ("super", "self"):
                base = list(m) if is_mod_file else list(m[:-1])
                if segs[0] == "self":
                    base = list(m)
                while segs and segs[0] == "super":
                    segs = segs[1:]
                    if base and segs and segs[0] == "super":
                        base = base[:-1]
                segs = base + [s for s in segs if s != "self"]
            else:
                continue  # an external crate or std
            target = resolve(segs)
            if target is not None and target != m and target != ():
                edges[m].add(target)

    # Cycles: strongly connected components of more than one file.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(comp)

    for v in mods:
        if v not in index:
            visit(v)

    def name(m):
        return "::".join(m) or "crate"

    upward = []
    for m, targets in edges.items():
        # a model or repo file, or a file inside a model/ or repo/ folder
        if any(seg in ("model", "repo") for seg in m):
            for t in targets:
                if t and (t[0] in ("http", "app", "state") or t[-1] == "handlers"):
                    upward.append((m, t))
    # A model's errors are domain errors (domain_error.rs); the HTTP error type is error.rs's.
    http_errors = sorted(
        (m, t) for m, targets in edges.items() if "model" in m for t in targets if t == ("error",)
    )

    lines = sum(sum(1 for _ in open(p, encoding="utf-8")) for p in mods.values())
    largest = sorted(((sum(1 for _ in open(p, encoding="utf-8")), os.path.relpath(p, SRC)) for p in mods.values()), reverse=True)[:5]
    print(f"imports: {len(mods)} files, {lines} lines, {sum(len(e) for e in edges.values())} edges")
    print("imports: largest files: " + ", ".join(f"{f} {n}" for n, f in largest))
    print(f"imports: {len(sccs)} cycles" + "".join(f"\n  cycle of {len(c)}: " + ", ".join(sorted(name(x) for x in c)) for c in sccs))
    print(f"imports: {len(upward)} imports from a model or repo up into HTTP" + "".join(f"\n  {name(a)} -> {name(b)}" for a, b in sorted(upward)))
    print(f"imports: {len(http_errors)} models using the HTTP error type" + "".join(f"\n  {name(a)} -> {name(b)}" for a, b in http_errors))
    long = too_long()
    over = long
    print(f"imports: {len(over)} files over {MAX_LINES} lines" + "".join(f"\n  src/{f} {n}" for n, f in over))
    if "--graph" in sys.argv:
        for m in sorted(edges):
            for t in sorted(edges[m]):
                print(f"  {name(m)} -> {name(t)}")
    return 1 if sccs or upward or http_errors or over else 0


if __name__ == "__main__":
    sys.exit(main())
