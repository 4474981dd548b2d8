"""Helpers of openapi/check, run with the tools' venv Python (standard library, PyYAML and
openapi-python-client's own naming rules). Not part of the API; see openapi/README.md.

    contract.py free-port
    contract.py wait-ready URL PID SECONDS
    contract.py accounts SEED_OUTPUT                       (JSON of the demo accounts)
    contract.py token BASE_URL SEED_OUTPUT ROLE            (prints an access token)
    contract.py api-key BASE_URL SEED_OUTPUT               (prints an API key with every scope)
    contract.py lint-totals REDOCLY_JSON                   (exit 1 unless 0/0/0)
    contract.py yaml-portability SPEC                      (exit 1 if YAML 1.1 and 1.2 readers disagree)
    contract.py python-coverage SPEC CLIENT_PACKAGE_DIR    (exit 1 if anything is missing)
    contract.py ts-coverage SPEC OUT.ts                    (writes type assertions for tsc)
    contract.py fuzz-summary OUT.md RUN_DIR...             (Schemathesis failures of all runs, deduplicated)
"""

from __future__ import annotations

import datetime
import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# `motcua seed demo` prints `{role:<10} {phone:<14} {unit or -:<14} password: {password}`.
SEED_LINE = re.compile(r"^(?P<role>[a-z_]+)\s+(?P<phone>\S+)\s+(?P<unit>\S+)\s+password: (?P<password>\S.*)$")


def fail(message: str) -> None:
    print(f"contract.py: {message}", file=sys.stderr)
    sys.exit(1)


def free_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def wait_ready(url: str, pid: str, seconds: str) -> None:
    deadline = time.monotonic() + float(seconds)
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            os.kill(int(pid), 0)
        except OSError:
            fail(f"the server (pid {pid}) exited before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as e:
            last = f"HTTP {e.code}"
        except OSError as e:
            last = str(e)
        time.sleep(0.2)
    fail(f"{url} not ready after {seconds}s ({last})")


def read_accounts(seed_output: str) -> list[dict[str, str]]:
    accounts = []
    for line in Path(seed_output).read_text(encoding="utf-8").splitlines():
        m = SEED_LINE.match(line.strip())
        if m:
            account = m.groupdict()
            account["password"] = account["password"].strip()
            if account["unit"] == "-":
                account["unit"] = ""
            accounts.append(account)
    if not accounts:
        fail(f"no `role phone unit password: ...` lines in {seed_output} (was the database fresh?)")
    return accounts


def accounts(seed_output: str) -> None:
    print(json.dumps(read_accounts(seed_output), ensure_ascii=False))


def _json_call(method: str, url: str, body: object | None = None, token: str | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def token(base_url: str, seed_output: str, role: str) -> None:
    """Logs the first demo account of `role` in and checks the token on GET /me."""
    base_url = base_url.rstrip("/")
    account = next((a for a in read_accounts(seed_output) if a["role"] == role), None)
    if account is None:
        fail(f"no demo account with role {role} in {seed_output}")
    status, body = _json_call(
        "POST", f"{base_url}/auth/login", {"phone": account["phone"], "password": account["password"]}
    )
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        fail(f"login as {role} ({account['phone']}) answered {status}: {body}")
    access = body["access_token"]
    status, me = _json_call("GET", f"{base_url}/me", token=access)
    if status != 200 or not isinstance(me, dict) or me.get("role") != role:
        fail(f"GET /me with the {role} token answered {status}: {me}")
    print(access)


def _admin_token(base_url: str, seed_output: str) -> str:
    account = next((a for a in read_accounts(seed_output) if a["role"] == "admin"), None)
    if account is None:
        fail(f"no demo admin in {seed_output}")
    status, body = _json_call(
        "POST", f"{base_url}/auth/login", {"phone": account["phone"], "password": account["password"]}
    )
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        fail(f"login as admin answered {status}: {body}")
    return body["access_token"]


def api_key(base_url: str, seed_output: str) -> None:
    """Makes an API key with every scope for every unit, as the demo admin, and prints it."""
    base_url = base_url.rstrip("/")
    admin = _admin_token(base_url, seed_output)
    scopes = ["catalogue.read", "dossiers.read", "dossiers.write", "queue.write", "stats.read"]
    status, body = _json_call(
        "POST", f"{base_url}/admin/api-keys", {"name": "openapi/check", "scopes": scopes}, token=admin
    )
    if status != 201 or not isinstance(body, dict) or not str(body.get("key", "")).startswith("mc_live_"):
        fail(f"POST /admin/api-keys answered {status}: {body}")
    print(body["key"])


def lint_totals(report: str) -> None:
    try:
        data = json.loads(Path(report).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        fail(f"redocly lint wrote no JSON report ({report}): the spec could not be read, see above")
    totals = data.get("totals", {})
    errors, warnings, ignored = (int(totals.get(k, 0)) for k in ("errors", "warnings", "ignored"))
    print(f"redocly lint: {errors} errors, {warnings} warnings, {ignored} ignored")
    by_rule: dict[str, int] = {}
    for problem in data.get("problems", []):
        key = f"{problem.get('severity', '?')} {problem.get('ruleId', '?')}"
        by_rule[key] = by_rule.get(key, 0) + 1
    for key, count in sorted(by_rule.items()):
        print(f"  {count:5d}  {key}")
    if errors or warnings or ignored:
        sys.exit(1)


def _core_schema_loader():
    """A YAML loader with only the YAML 1.2 core schema: null, true/false, decimal, octal
    (0o) and hexadecimal integers, floats; everything else is a string, as in openapi.json."""
    import yaml

    class CoreLoader(yaml.SafeLoader):
        pass

    CoreLoader.yaml_implicit_resolvers = {}
    resolvers = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
        (
            "tag:yaml.org,2002:float",
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            list("-+0123456789."),
        ),
    ]
    for tag, pattern, first in resolvers:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), first)
    return CoreLoader


def yaml_portability(spec_path: str) -> None:
    """The spec has no duplicate keys and every YAML reader the tools use reads it as the YAML
    1.2 core schema does (and as openapi.json has it). An unquoted `off`, `on`, `yes` or `no` is
    a boolean in YAML 1.1, `11:30` a base-60 number, `2026-01-10` a date."""
    import yaml
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from schemathesis.core.deserialization import deserialize_yaml

    text = Path(spec_path).read_text(encoding="utf-8")
    try:
        ruamel = YAML(typ="safe", pure=True).load(text)
    except DuplicateKeyError as e:
        print(f"yaml: duplicate key: {e.problem} {e.problem_mark}".replace("\n", " "))
        sys.exit(1)
    core = yaml.load(text, _core_schema_loader())  # noqa: S506 (a safe loader)
    readings = {
        "YAML 1.1 (PyYAML safe_load, many generators)": yaml.safe_load(text),
        "Schemathesis": deserialize_yaml(text),
        "ruamel (openapi-python-client)": ruamel,
    }

    def kind_of(value: object) -> str:
        if isinstance(value, bool):
            return "booleans"
        if isinstance(value, (int, float)):
            return "numbers (base 60)"
        if isinstance(value, (datetime.date, datetime.datetime)):
            return "dates"
        return "other values"

    failed = False
    for reader, reading in readings.items():
        kinds: dict[str, list[str]] = {}

        def compare(a: object, b: object, path: str, kinds: dict[str, list[str]] = kinds) -> None:
            if isinstance(a, dict) and isinstance(b, dict):
                for key in sorted(a.keys() | b.keys(), key=str):
                    if key not in a or key not in b:
                        kinds.setdefault("keys", []).append(f"{path}/{key}")
                    else:
                        compare(a[key], b[key], f"{path}/{key}")
            elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
                for i, (x, y) in enumerate(zip(a, b)):
                    compare(x, y, f"{path}/{i}")
            elif a != b or type(a) is not type(b):
                kinds.setdefault(kind_of(b), []).append(f"{path}: {a!r} is read as {b!r}")

        compare(core, reading, "#")
        for kind, where in sorted(kinds.items()):
            failed = True
            print(f"yaml: {reader} reads {len(where)} unquoted strings as {kind}; quote them. For example:")
            for w in where[:4]:
                print(f"    {w}")
    if failed:
        sys.exit(1)
    print("yaml: no duplicate keys; YAML 1.1, Schemathesis and ruamel read it as YAML 1.2 core does")


def load_spec(spec: str) -> dict:
    import yaml

    with open(spec, encoding="utf-8") as f:
        if spec.endswith(".json"):
            return json.load(f)
        return yaml.safe_load(f)


def operations(spec: dict):
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = (item or {}).get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def python_coverage(spec_path: str, package_dir: str) -> None:
    """Every operation has an endpoint module and every component schema a model class."""
    from openapi_python_client.strings import ClassName, PythonIdentifier

    spec = load_spec(spec_path)
    package = Path(package_dir)
    modules = {p.stem for p in (package / "api").rglob("*.py") if p.stem != "__init__"}
    models_init = (
        (package / "models" / "__init__.py").read_text(encoding="utf-8") if (package / "models").is_dir() else ""
    )
    problems = []
    count = 0
    for path, method, operation in operations(spec):
        count += 1
        op_id = operation.get("operationId")
        if not op_id:
            problems.append(f"{method.upper()} {path}: no operationId")
            continue
        if str(PythonIdentifier(op_id, prefix="field_")) not in modules:
            problems.append(f"{method.upper()} {path} ({op_id}): no endpoint module in the client")
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for name in schemas:
        class_name = str(ClassName(name, prefix="Field"))
        if not re.search(rf"\b{re.escape(class_name)}\b", models_init):
            problems.append(f"components/schemas/{name}: no model {class_name} in the client")
    print(f"python client: {count} operations and {len(schemas)} schemas in the spec")
    for problem in problems:
        print(f"  missing: {problem}")
    if problems:
        sys.exit(1)


def ts_coverage(spec_path: str, out: str) -> None:
    """A .ts file that compiles only if the generated types have every operation, response
    (status and media type) and component schema of the spec."""
    spec = load_spec(spec_path)
    lines = [
        "// Generated by openapi/tools/contract.py ts-coverage; compiled by openapi/check clients.",
        'import type { components, operations } from "./motcua";',
        "",
        "type Has<K extends PropertyKey, T> = [K] extends [keyof T] ? true : false;",
        "type Assert<T extends true> = T;",
        "",
    ]
    schemas = list(((spec.get("components") or {}).get("schemas") or {}).keys())
    if schemas:
        union = " | ".join(json.dumps(s) for s in schemas)
        lines.append(f'export type AllSchemas = Assert<Has<{union}, components["schemas"]>>;')
    for index, (path, method, operation) in enumerate(operations(spec)):
        op_id = operation.get("operationId")
        if not op_id:
            continue
        op = f"operations[{json.dumps(op_id)}]"
        lines.append(f"// {method.upper()} {path}")
        for status, response in (operation.get("responses") or {}).items():
            key = json.dumps(str(status)) if not str(status).isdigit() else str(status)
            content = (response or {}).get("content") or {}
            if not content:
                lines.append(f'export type R{index}_{status} = Assert<Has<{key}, {op}["responses"]>>;')
            for m, media in enumerate(content):
                lines.append(
                    f'export type R{index}_{status}_{m} = {op}["responses"][{key}]["content"][{json.dumps(media)}];'
                )
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fuzz_failures(junit: Path):
    """(check, title, operation, detail, status, reproduce) of each failing test case."""
    import xml.etree.ElementTree as ET

    for testcase in ET.parse(junit).getroot().iter("testcase"):
        operation = testcase.get("name", "?")
        for failure in list(testcase.findall("failure")) + list(testcase.findall("error")):
            text = failure.text or failure.get("message") or ""
            if failure.tag == "error":
                yield ("error", text.strip().splitlines()[0] if text.strip() else "error", operation, "", "", "")
                continue
            for case in re.split(r"^\d+\. Test Case ID: \S+\s*$", text, flags=re.M):
                checks = re.findall(r"^- (ST\d+|[a-z_]+) (.+)$", case, flags=re.M)
                if not checks:
                    continue
                detail = ""
                m = re.search(r"^\s*(Invalid component: .+|Received: .+|Got .+|Missing .+)$", case, flags=re.M)
                if m:
                    detail = m.group(1).strip()
                if not detail:
                    # What the server said: the problem's code and the first field it named.
                    problem = re.search(r'"code":"([a-z_]+)"', case)
                    field = re.search(r'"field":"([^"]+)","message":"([^"]*)"', case)
                    if problem:
                        detail = f"server: {problem.group(1)}"
                        if field:
                            detail += f" ({field.group(1)}: {field.group(2)})"
                status = re.search(r"^\[(\d{3})\]", case, flags=re.M)
                curl = re.search(r"^\s*(curl .+)$", case, flags=re.M)
                for code, title in checks:
                    yield (
                        code,
                        title.strip(),
                        operation,
                        detail,
                        status.group(1) if status else "",
                        curl.group(1).strip() if curl else "",
                    )


def fuzz_summary(out: str, *run_dirs: str) -> None:
    found: dict[tuple[str, str, str, str], dict] = {}
    for run_dir in run_dirs:
        role = Path(run_dir).name
        junit = Path(run_dir) / "junit.xml"
        if not junit.is_file():
            found[("no report", "", role, "")] = {"title": "Schemathesis wrote no JUnit report", "roles": {role}}
            continue
        for code, title, operation, detail, status, curl in _fuzz_failures(junit):
            # Values differ from run to run; the kind of problem is what is deduplicated.
            key_detail = re.sub(r"\d{3,}", "N", re.sub(r"^(server: [a-z_]+ \([^:]+):.*", r"\1", detail))
            entry = found.setdefault(
                (code, operation, key_detail, status),
                {"title": title, "detail": detail, "roles": set(), "curl": curl},
            )
            entry["roles"].add(role)
    lines = [
        "| check | operation | status | detail | runs | example |",
        "|---|---|---|---|---|---|",
    ]
    for (code, operation, _, status), entry in sorted(found.items()):
        example = entry.get("curl", "").replace("|", "\\|")
        if len(example) > 300:
            example = example[:300] + "…"
        lines.append(
            f"| {code} {entry['title']} | {operation} | {status} | {entry.get('detail', '').replace('|', '/')} "
            f"| {', '.join(sorted(entry['roles']))} | `{example}` |"
        )
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(found)} distinct Schemathesis findings (check, operation, status, detail); table in {out}")
    for (code, operation, _, status), entry in sorted(found.items()):
        print(
            f"  {code:6} {operation:40} {status:4} {entry.get('detail', '')[:70]}  [{', '.join(sorted(entry['roles']))}]"
        )


COMMANDS = {
    "free-port": (free_port, 0),
    "wait-ready": (wait_ready, 3),
    "accounts": (accounts, 1),
    "token": (token, 3),
    "api-key": (api_key, 2),
    "lint-totals": (lint_totals, 1),
    "yaml-portability": (yaml_portability, 1),
    "python-coverage": (python_coverage, 2),
    "ts-coverage": (ts_coverage, 2),
    "fuzz-summary": (fuzz_summary, -1),
}

if __name__ == "__main__":
    arity = COMMANDS.get(sys.argv[1], (None, 0))[1] if len(sys.argv) >= 2 else 0
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or (arity >= 0 and len(sys.argv) - 2 != arity):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    function, _ = COMMANDS[sys.argv[1]]
    function(*sys.argv[2:])
