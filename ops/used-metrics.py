#!/usr/bin/env python3
"""Compares the metrics the alert rules and the dashboard's panels name with what is exposed.

    ops/used-metrics.py EXPOSITION_FILE...

Prints every metric an alert or a panel query names that none of the expositions (a scrape of a
gateway's /observe/metrics, one of HAProxy's /metrics) holds, and exits 1 if there is one. Metric names are read from the
PromQL: label matchers, strings, ranges and grouping lists are dropped, then every identifier
that is not a function, an aggregation or a keyword is a metric. `up` is Prometheus's own.
"""
import json
import pathlib
import re
import sys

import yaml

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "offset", "bool", "inf", "nan"}
PROMETHEUS_OWN = {"up"}


def metric_names(expr):
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)            # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)                      # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)                     # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        name = match.group(0)
        after = expr[match.end():].lstrip()
        if name.lower() in KEYWORDS or after.startswith("("):
            continue
        names.add(name)
    return names


def used():
    uses = {}
    alerts = yaml.safe_load(pathlib.Path("ops/prometheus/alerts.yml").read_text())
    for group in alerts.get("groups", []):
        for rule in group.get("rules", []):
            for name in metric_names(rule.get("expr", "")):
                uses.setdefault(name, []).append("alert " + rule.get("alert", rule.get("record", "?")))
    for path in sorted(pathlib.Path("ops/grafana/dashboards").glob("*.json")):
        def walk(panels):
            for panel in panels:
                yield panel
                yield from walk(panel.get("panels", []))
        for panel in walk(json.loads(path.read_text()).get("panels", [])):
            for target in panel.get("targets") or []:
                expr = target.get("expr", "").replace("$__rate_interval", "1m").replace("$__interval", "1m")
                for name in metric_names(expr):
                    uses.setdefault(name, []).append(f"{path.name} panel {panel.get('title')!r}")
    return uses


def exposed(exposition):
    names = set()
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def main():
    have = set()
    for path in sys.argv[1:]:
        have |= exposed(pathlib.Path(path).read_text())
    uses = used()
    missing = sorted(name for name in uses if name not in have and name not in PROMETHEUS_OWN)
    for name in missing:
        print(f"  {name} is not exposed by the gateway or HAProxy; named by: {', '.join(sorted(set(uses[name])))}",
              file=sys.stderr)
    print(f"  {len(uses)} metrics named by alerts and panels, {len(have)} exposed, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
