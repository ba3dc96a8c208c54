#!/usr/bin/env python3
"""Writes a copy of a covsim scenario with every per-user ticket rate multiplied by FACTOR.

The study varies the ticket volume per user (an estimate, calibration §5: no benchmark found)
as a whole, keeping the priority mix; `covsim sweep --set` varies one key at a time, so this
makes one scenario file per volume. With `resize-msp`, `other_clients_pcs` lines are removed, so
that each MSP pool follows its target_utilisation at the new volume (an MSP sizes its pool to
its load) instead of being overloaded by other clients whose tickets grew too.
Usage: scale_tickets.py SCENARIO FACTOR OUT [resize-msp]
"""
import re
import sys

src, factor, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
text = open(src, encoding="utf-8").read()
pattern = re.compile(r"^(tickets_per_user_month\s*=\s*)([0-9.eE+-]+)", re.M)
n = 0


def scale(m):
    global n
    n += 1
    return f"{m.group(1)}{float(m.group(2)) * factor:.6g}"


text = pattern.sub(scale, text)
if len(sys.argv) > 4 and sys.argv[4] == "resize-msp":
    text = re.sub(r"^other_clients_pcs\s*=.*\n", "", text, flags=re.M)
if n == 0:
    sys.exit(f"error: {src}: no tickets_per_user_month line to scale")
name = re.compile(r'^name = "(.*)"$', re.M)
if not name.search(text):
    sys.exit(f"error: {src}: no top-level name line")
text = name.sub(lambda m: f'name = "{m.group(1)}, tickets ×{factor:g}"', text, count=1)
open(out, "w", encoding="utf-8").write(text)
