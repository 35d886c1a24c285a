#!/usr/bin/env python3
"""The JSON Schema of scenario files agrees with the loader on examples:
every bundled scenario validates, and typical mistakes are rejected."""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "docs" / "scenario.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failures = 0
bundled = sorted((root / "scenarios").glob("*.yaml")) + sorted((root / "scenarios").glob("*.yml"))
assert bundled, "no bundled scenarios found"
for path in bundled:
    errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
    for e in errors:
        print(f"{path.name}: {e.json_path}: {e.message}")
    failures += bool(errors)

mistakes = {
    "unknown top-level key": {"routes": [{"id": "r", "steps": [{"status": 200}]}], "rutes": []},
    "misspelt step key": {"routes": [{"id": "r", "steps": [{"stauts": 200}]}]},
    "status out of range": {"routes": [{"id": "r", "steps": [{"status": 600}]}]},
    "route without steps": {"routes": [{"id": "r", "steps": []}]},
    "bad then": {"routes": [{"id": "r", "steps": [{"status": 200}], "then": "again"}]},
    "bad duration": {"routes": [{"id": "r", "steps": [{"delay": "soon"}]}]},
    "times inside one_of": {"routes": [{"id": "r", "steps": [{"one_of": [{"status": 200, "times": 2}]}]}]},
    "unknown fault": {"routes": [{"id": "r", "steps": [{"fault": "explode"}]}]},
    "fault without its value": {"routes": [{"id": "r", "steps": [{"fault": {"truncate": None}}]}]},
    "stream with chunk alone": {"routes": [{"id": "r", "steps": [{"stream": {"chunk": "1B"}}]}]},
    "uniform delay with one bound": {"routes": [{"id": "r", "steps": [{"delay": {"uniform": ["1s"]}}]}]},
}
for what, document in mistakes.items():
    if validator.is_valid(document):
        print(f"schema accepts a mistake: {what}")
        failures += 1

print(f"{len(bundled)} bundled scenarios, {len(mistakes)} mistakes checked: {'ok' if not failures else 'FAILED'}")
sys.exit(1 if failures else 0)
