#!/usr/bin/env python3
"""Times safeguarding cases through the JSON API of a running release build, on a fresh SQLite database
(and PostgreSQL too when BENCH_POSTGRES_URL names a server: a database is created and dropped).

It raises CASES concerns and acknowledges each (opening a case), writes ENTRIES chronology entries into one
case, then times opening that case (everything unsealed, the read audited) and listing open cases.

Usage: bench/cases.py [path/to/vigil]   (default: a release build in CARGO_TARGET_DIR or target/)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CASES = int(os.environ.get("CASES", "1000"))
ENTRIES = int(os.environ.get("ENTRIES", "500"))
READS = 20


def vigil_path():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "vigil")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def timed(label, count, action):
    start = time.perf_counter()
    for n in range(count):
        action(n)
    spent = time.perf_counter() - start
    print(f"  {label}: {count} in {spent:.2f} s ({spent / count * 1000:.1f} ms each)")


def run(label, vigil, database):
    def cli(*args):
        out = subprocess.run([vigil, *database, *args], check=True, capture_output=True, text=True).stdout
        return out.strip().splitlines()[-1] if out.strip() else ""

    cli("org", "create", "--name", "Bench Provider", "--ukprn", "10099999", "--nation", "england", "--slug", "bench")
    for email, role in [("lead@bench.example", "safeguarding_lead"), ("tutor@bench.example", "staff")]:
        cli("user", "create", "--org", "bench", "--email", email, "--name", "Bench Person", "--role", role)
    lead = cli("token", "create", "--org", "bench", "--email", "lead@bench.example")
    tutor = cli("token", "create", "--org", "bench", "--email", "tutor@bench.example")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([vigil, *database, "serve", "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz")
                break
            except OSError:
                time.sleep(0.1)
        print(f"{label}:")
        cases = []

        def open_case(n):
            concern = call(base, tutor, "POST", "/api/v1/concerns", {
                "about": f"Learner {n}", "what_happened": "Said something worrying in the workshop " * 5,
                "category": "other", "immediate_danger": False, "told_in_person": False})
            cases.append(call(base, lead, "POST", f"/api/v1/concerns/{concern['id']}/acknowledge")["case"])

        timed("raise and acknowledge a concern (opens a case)", CASES, open_case)
        case = cases[0]
        timed("add a chronology entry", ENTRIES, lambda n: call(base, lead, "POST", f"/api/v1/cases/{case}/entries", {
            "kind": "fact", "occurred_on": "2026-11-30", "text": f"Entry {n}: " + "what was seen and said " * 10}))
        timed(f"open a case of {ENTRIES + 1} entries (all unsealed, read audited)", READS,
              lambda _: call(base, lead, "GET", f"/api/v1/cases/{case}"))
        timed(f"list open cases (page of 50 of {CASES})", READS,
              lambda _: call(base, lead, "GET", "/api/v1/cases?per_page=50"))
    finally:
        server.terminate()
        server.wait()


def main():
    vigil = vigil_path()
    with tempfile.TemporaryDirectory() as work:
        run("SQLite", vigil, ["--data-dir", os.path.join(work, "data")])
        url = os.environ.get("BENCH_POSTGRES_URL")
        if url:
            db = f"vigil_bench_{os.getpid()}"
            subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {db}"], check=True)
            try:
                key = subprocess.run(["openssl", "rand", "-base64", "32"], check=True, capture_output=True,
                                     text=True).stdout.strip()
                os.environ["VIGIL_MASTER_KEY"] = key
                run("PostgreSQL", vigil, ["--database-url", url.rsplit("/", 1)[0] + "/" + db,
                                          "--data-dir", os.path.join(work, "pgdata")])
            finally:
                subprocess.run(["psql", url, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)


if __name__ == "__main__":
    main()
