#!/usr/bin/python3
"""Checks an iCalendar feed (RFC 5545) with an independent parser, Debian's python3-icalendar.

    ics_check.py FEED [--expect JSON | --expect @FILE]

FEED is a file, or "-" for stdin (e.g. piped from curl against the live endpoint). The raw text
is checked first (CRLF line ends, physical lines of at most 75 octets, folds that never split a
UTF-8 sequence), then parsed with icalendar. On success the parsed feed is printed as JSON:

    {"name": X-WR-CALNAME, "method": ..., "events": [{"uid", "summary", "location",
     "description", "dtstart", "dtend", "sequence", "status"}, ...]}

with instants as "YYYY-MM-DDTHH:MM:SSZ", events in feed order. --expect gives the same shape:
"name" if present must match, "events" must have as many entries as the feed, and every field
given for an event must equal the parsed value. Every problem found is printed on stderr and
the exit code is 1; 2 for a usage error.
"""
import argparse
import datetime
import json
import sys

import icalendar

MAX_OCTETS = 75


def raw_problems(data):
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("the feed does not end with CRLF")
    lines = data.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: a bare CR or LF (lines must end in CRLF)")
        if len(line) > MAX_OCTETS:
            problems.append(f"line {number}: {len(line)} octets, more than {MAX_OCTETS}")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(f"line {number}: not UTF-8 on its own (a fold split a character?): {e}")
        if number == 1 and line[:1] in (b" ", b"\t"):
            problems.append("line 1 is a continuation")
    return problems


def instant(component, name):
    if name not in component:
        return None
    value = component.decoded(name)
    if not isinstance(value, datetime.datetime) or value.tzinfo is None:
        raise ValueError(f"{name} is not a UTC date-time: {value!r}")
    if value.utcoffset() != datetime.timedelta(0):
        raise ValueError(f"{name} is not in UTC: {value!r}")
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def parse(data):
    problems = []
    calendar = icalendar.Calendar.from_ical(data.decode("utf-8"))
    if calendar.name != "VCALENDAR":
        problems.append(f"the top component is {calendar.name}, not VCALENDAR")
    if text(calendar, "VERSION") != "2.0":
        problems.append(f"VERSION is {text(calendar, 'VERSION')!r}, not 2.0")
    if not text(calendar, "PRODID"):
        problems.append("no PRODID")
    events = []
    for component in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            if required not in component:
                problems.append(f"a VEVENT without {required}")
        try:
            events.append({
                "uid": text(component, "UID"),
                "summary": text(component, "SUMMARY"),
                "location": text(component, "LOCATION"),
                "description": text(component, "DESCRIPTION"),
                "dtstart": instant(component, "DTSTART"),
                "dtend": instant(component, "DTEND"),
                "dtstamp": instant(component, "DTSTAMP"),
                "sequence": int(component.decoded("SEQUENCE")) if "SEQUENCE" in component else None,
                "status": text(component, "STATUS"),
            })
        except ValueError as e:
            problems.append(str(e))
    uids = [e["uid"] for e in events]
    if len(set(uids)) != len(uids):
        problems.append(f"UIDs repeat: {uids}")
    feed = {"name": text(calendar, "X-WR-CALNAME"), "method": text(calendar, "METHOD"),
            "events": events}
    return feed, problems


def expectation_problems(feed, expected):
    problems = []
    if "name" in expected and expected["name"] != feed["name"]:
        problems.append(f"name: expected {expected['name']!r}, got {feed['name']!r}")
    wanted = expected.get("events")
    if wanted is None:
        return problems
    if len(wanted) != len(feed["events"]):
        problems.append(f"expected {len(wanted)} events, got {len(feed['events'])}")
    for index, (want, got) in enumerate(zip(wanted, feed["events"])):
        for field, value in want.items():
            if got.get(field) != value:
                problems.append(f"event {index} {field}: expected {value!r}, got {got.get(field)!r}")
    return problems


def main():
    parser = argparse.ArgumentParser(description="Check an iCalendar feed with python3-icalendar.")
    parser.add_argument("feed", help='the .ics file, or "-" for stdin')
    parser.add_argument("--expect", help="expectations as JSON, or @FILE holding them")
    args = parser.parse_args()
    try:
        if args.feed == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.feed, "rb") as f:
                data = f.read()
        expected = None
        if args.expect is not None:
            if args.expect.startswith("@"):
                with open(args.expect[1:], encoding="utf-8") as f:
                    expected = json.load(f)
            else:
                expected = json.loads(args.expect)
    except (OSError, ValueError) as e:
        print(f"ics_check: {e}", file=sys.stderr)
        return 2

    problems = raw_problems(data)
    try:
        feed, parse_problems = parse(data)
    except Exception as e:  # icalendar raises ValueError and others on text it cannot read
        problems.append(f"icalendar could not parse the feed: {e!r}")
        feed = None
    else:
        problems += parse_problems
        if expected is not None:
            problems += expectation_problems(feed, expected)
    for problem in problems:
        print(f"ics_check: {problem}", file=sys.stderr)
    if feed is not None:
        print(json.dumps(feed, ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
