#!/usr/bin/env python3
"""Writes a people-register CSV in Vigil's import template, for benchmarks: a large provider's staff and
apprentices. Usage: bench/people.py ROWS > people.csv. Deterministic: the same ROWS give the same file."""

import csv
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rng = random.Random(2026)
given = ["Sam", "Alex", "Jo", "Kit", "Ari", "Dee", "Nia", "Tom", "Ada", "Lee", "Pat", "Rhys", "Ffion", "Omar", "Priya"]
family = ["Taylor", "Jones", "Evans", "Khan", "Smith", "Williams", "Brown", "Davies", "Patel", "Wilson", "Hughes"]
programmes = ["Engineering technician", "Adult care worker", "Business administrator", "Software developer"]
authorities = ["Leeds", "Bradford", "Wakefield", "Kirklees", "Calderdale"]

writer = csv.writer(sys.stdout)
writer.writerow(["kind", "given_name", "family_name", "email", "uln", "role_title", "start_date", "programme",
                 "level", "employer", "date_of_birth", "home_local_authority", "workplace_local_authority"])
staff = rows // 7
for n in range(rows):
    g, f = rng.choice(given), rng.choice(family)
    if n < staff:
        writer.writerow(["staff", g, f, f"staff{n}@bench.example", "", "Skills coach", "01/09/2024", "", "", "", "", "", ""])
    else:
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1975, 2009)}"
        writer.writerow(["apprentice", g, f, f"apprentice{n}@bench.example", str(1000000000 + n), "", "01/09/2025",
                         rng.choice(programmes), str(rng.randint(2, 5)), "Bench Employer Ltd", born,
                         rng.choice(authorities), rng.choice(authorities)])
