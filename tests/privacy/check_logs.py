#!/usr/bin/env python3
"""Fails if any application log holds personal data: a personnummer or samordningsnummer in any
written form (12 or 10 digits, with or without separator), or a test person's name.

Usage: check_logs.py PERSONS_JSON LOG_FILE_OR_DIR...   (directories are searched for *.log, *.err, *.out)
Personal data belongs in the store and the audit log only, never in application logs.
"""
import json
import pathlib
import re
import sys


def luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# Any run of digits shaped like a personal identity number (a plausible date, day + 60 for a
# samordningsnummer) whose check digit is right, standing alone rather than inside a longer token.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])(?:\d{2})?(\d{6})[-+]?(\d{4})(?![0-9A-Za-z])")
# knutpunkt's own ids (lookup ids, event ids) are UUIDs; digits inside them are not identity numbers.
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def plausible_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def names_of(persons) -> set:
    names = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and re.search(r"(namn|name)", key, re.I) and len(value) >= 3:
            for part in re.split(r"[ ,]+", value):
                if len(part) >= 4:
                    names.add(part)

    walk(persons)
    return names


def files_in(paths):
    for p in paths:
        path = pathlib.Path(p)
        if path.is_dir():
            for pattern in ("*.log", "*.err", "*.out"):
                yield from sorted(path.rglob(pattern))
        elif path.exists():
            yield path


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    persons = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    names = names_of(persons)
    if not names:
        print("no names found in the persons file: the check would prove nothing", file=sys.stderr)
        return 2
    files = list(files_in(sys.argv[2:]))
    if not files:
        print("no log files found: the check would prove nothing", file=sys.stderr)
        return 2
    findings = []
    scanned_lines = 0
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            scanned_lines += 1
            for m in ID_PATTERN.finditer(UUID_PATTERN.sub("<uuid>", line)):
                if plausible_date(m.group(1)) and luhn_ok(m.group(1) + m.group(2)):
                    findings.append(f"{f}:{n}: identity number {m.group(0)[:4]}…")
            for name in names:
                if name in line:
                    findings.append(f"{f}:{n}: name {name[:2]}…")
    print(f"scanned {len(files)} files, {scanned_lines} lines, {len(names)} names")
    for finding in findings[:50]:
        print(finding)
    if scanned_lines == 0:
        print("the logs are empty: the check would prove nothing", file=sys.stderr)
        return 1
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
