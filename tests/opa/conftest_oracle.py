"""conftest's collection of results, over real OPA (v1.20.2, through PyPI's
opa-golib-python-bindings): the oracle of tests/opa_differential.rs.

    python conftest_oracle.py INPUT.json POLICY_DIR... [--data PATH]... [--namespace NS]... [--all-namespaces]

Loads every .rego file below each POLICY_DIR except *_test.rego (as `costfix check --policy` and
`conftest test` do), the .json/.yaml/.yml data files in the policy folders outside folders of test
inputs (testdata, fixtures, names ending in _test, hidden ones) and every --data file, then for
each chosen package (default: main) evaluates the package document with the input and collects,
as conftest does, the rules named deny, violation or warn, bare or with a _suffix: each member a
string, or an object whose "msg" is the message. A package's `exception` rule (a set of lists of
rule names) exempts deny_NAME / violation_NAME (NAME "" for the bare rule). Prints one JSON list of
{level, package, rule, msg, exception}, sorted.
"""

import json
import os
import re
import sys

from opa_bindings import OpaEngine

RULE = re.compile(r"^(deny|violation|warn)(_[A-Za-z0-9_]+)?$")
PACKAGE = re.compile(r"^package\s+([A-Za-z0-9_.]+)", re.M)


def test_folder(name):
    return (
        name in ("testdata", "fixtures")
        or name.endswith("_test")
        or (name.startswith(".") and name not in (".", ".."))
    )


def files_below(path):
    if os.path.isfile(path):
        return [path]
    out = []
    for root, _dirs, files in os.walk(path):
        out.extend(os.path.join(root, f) for f in files)
    return sorted(out)


def load_data(engine, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        value = json.loads(text)
    else:
        import yaml  # PyYAML, only for YAML data

        value = yaml.safe_load(text)
    if value is not None:
        engine.add_data(value)


def main(argv):
    input_path, rest = argv[0], argv[1:]
    dirs, data, namespaces, all_namespaces = [], [], [], False
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--data":
            data.append(rest[i + 1])
            i += 2
        elif a == "--namespace":
            namespaces.append(rest[i + 1])
            i += 2
        elif a == "--all-namespaces":
            all_namespaces = True
            i += 1
        else:
            dirs.append(a)
            i += 1
    engine = OpaEngine()
    packages = set()
    for d in dirs:
        for p in files_below(d):
            rel = os.path.relpath(p, d) if os.path.isdir(d) else os.path.basename(p)
            in_test_folder = any(test_folder(c) for c in os.path.dirname(rel).split(os.sep) if c)
            if p.endswith(".rego") and not p.endswith("_test.rego"):
                with open(p, encoding="utf-8") as f:
                    text = f.read()
                engine.add_policy(p, text)
                packages.update(PACKAGE.findall(text))
            elif p.endswith((".json", ".yaml", ".yml")) and not in_test_folder:
                load_data(engine, p)
    for d in data:
        for p in files_below(d):
            if p.endswith((".json", ".yaml", ".yml")):
                load_data(engine, p)
    with open(input_path, encoding="utf-8") as f:
        doc = json.load(f)
    chosen = sorted(packages) if all_namespaces else [n for n in (namespaces or ["main"]) if n in packages]
    results = []
    for package in chosen:
        try:
            values = engine.eval_document(package.replace(".", "."), doc)
        except Exception as e:  # noqa: BLE001 - undefined package document
            if type(e).__name__ == "OpaUndefinedError":
                continue
            raise
        if not isinstance(values, dict):
            continue
        excepted = set()
        for names in values.get("exception", []) or []:
            if isinstance(names, list):
                excepted.update(n for n in names if isinstance(n, str))
            elif isinstance(names, str):
                excepted.add(names)
        for rule in sorted(values):
            m = RULE.match(rule)
            if not m:
                continue
            level = "warn" if m.group(1) == "warn" else "deny"
            name = (m.group(2) or "_")[1:]
            value = values[rule]
            members = value if isinstance(value, list) else ([] if value is False else [value])
            for item in members:
                if isinstance(item, str):
                    msg = item
                elif isinstance(item, dict) and isinstance(item.get("msg"), str):
                    msg = item["msg"]
                else:
                    msg = json.dumps(item, separators=(",", ":"), sort_keys=True)
                results.append(
                    {
                        "level": level,
                        "package": "data." + package,
                        "rule": rule,
                        "msg": msg,
                        "exception": level == "deny" and name in excepted,
                    }
                )
    results.sort(key=lambda r: (r["level"], r["package"], r["rule"], r["msg"]))
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
