"""Speed only: schemathesis 4.32.5 compiles the same JSON Schema validators again and again.

Each validator for a body is compiled against a registry that holds the document's bundled
components, and schemathesis keys that registry by the identity of the bundle dict
(`schemathesis.core.jsonschema._bundle_registry`, an LRU of 16). The schema adjustments it makes
from the API's error responses hand it fresh copies of the same ~20-60 bundles (by content) all the
time, so the registry gets a new URI, the validator cache (keyed by schema and URI) misses, and the
validator is compiled anew: in the stateful phase that was 40-50 % of schemathesis's time (1135
compilations, 22 s, in one run as resident01; 124 and 0.7 s with this).

Here the registry is shared by bundles of equal content (their canonical JSON), which is what the
identity key stands in for: a validator compiled against one equal bundle is the same validator.
What is generated, sent and checked does not change: a pair of stateful runs as resident01 with
the same seed made the same 1297 cases and 421 scenarios with and without it (the stateful phase's
counts vary from run to run anyway, with the ids the server hands out). If a schemathesis upgrade
renames the function, this does nothing (and says so in the schemathesis log).
"""
import sys

LIMIT = 4096  # distinct bundles kept; a run sees tens


def install():
    try:
        import jsonschema_rs
        from schemathesis.core import jsonschema as core
        original = core._bundle_registry
        to_string = jsonschema_rs.canonical.json.to_string
    except (ImportError, AttributeError) as e:
        print(f"tests/fuzz/bundle_cache.py: not installed ({e}); validators compile as schemathesis does", file=sys.stderr)
        return
    if getattr(original, "by_content", False):
        return
    shared = {}

    def bundle_registry(bundled, validator_cls):
        try:
            key = (to_string(bundled), validator_cls)
        except (TypeError, ValueError):
            return original(bundled, validator_cls)
        found = shared.get(key)
        if found is None:
            found = original(bundled, validator_cls)
            if len(shared) < LIMIT:
                shared[key] = found
        return found

    bundle_registry.by_content = True
    core._bundle_registry = bundle_registry
