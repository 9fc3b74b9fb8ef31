#!/usr/bin/env python3
"""Helpers of scripts/text-order, which lists the functions a running bot executes.

  text_order.py executed BINARY CALLGRIND_OUT...
      The functions of BINARY that the callgrind runs executed (callgrind --demangle=no), in the
      order they were first seen, one mangled name per line.
  text_order.py faults BINARY PERF_DATA LISTED_FILE
      The functions of BINARY in which `perf record -e minor-faults -d` saw an instruction fetch
      fault, less those LISTED_FILE already names: code the list misses.
"""
import bisect
import re
import subprocess
import sys

CALLGRIND_NAME = re.compile(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$")


def executed(binary, outputs):
    names, seen = [], set()
    for path in outputs:
        # Callgrind compresses names: the first use of an id carries the name, later ones only
        # the id. `cob` names the object of the next `cfn` only; `ob` that of what follows.
        objects, functions = {}, {}
        current_object = called_object = None
        with open(path, errors="replace") as f:
            for line in f:
                m = CALLGRIND_NAME.match(line.rstrip("\n"))
                if not m:
                    continue
                kind, ident, name = m.groups()
                table = objects if kind in ("ob", "cob") else functions
                if name is not None:
                    table[ident] = name
                if kind == "ob":
                    current_object, called_object = objects.get(ident), None
                    continue
                if kind == "cob":
                    called_object = objects.get(ident)
                    continue
                obj = current_object if kind == "fn" else (called_object or current_object)
                if kind == "cfn":
                    called_object = None
                function = functions.get(ident)
                if obj != binary or not function:
                    continue
                function = re.sub(r"'\d+$", "", function)  # callgrind's recursion depth
                if function.startswith("0x") or function in seen:
                    continue
                seen.add(function)
                names.append(function)
    return names


def function_table(binary):
    """(start, end, [names]) of every function symbol, sorted; aliases share an entry. A symbol
    without a size (frame_dummy, _init: startup code from crt files) ends where the next begins."""
    by_address = {}
    nm = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True,
                        check=True).stdout
    for line in nm.splitlines():
        fields = line.split()
        if len(fields) == 3:
            fields.insert(1, "0")
        if len(fields) == 4 and fields[2] in "tTwW":
            start, size = int(fields[0], 16), int(fields[1], 16)
            entry = by_address.setdefault(start, [start, start + size, []])
            entry[1] = max(entry[1], start + size)
            entry[2].append(fields[3])
    table = sorted(by_address.values())
    for entry, following in zip(table, table[1:] + [None]):
        if entry[1] == entry[0]:
            entry[1] = following[0] if following else entry[0] + 4096
    return table


def text_segment(binary):
    """(file offset, virtual address) of the executable segment."""
    headers = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                             check=True).stdout
    for line in headers.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD" and "E" in fields[-2]:
            return int(fields[1], 16), int(fields[2], 16)
    raise SystemExit(f"{binary}: no executable segment")


def faults(binary, perf_data, listed_file):
    listed = set(open(listed_file).read().split())
    seg_offset, seg_address = text_segment(binary)
    mmaps = subprocess.run(["perf", "script", "-i", perf_data, "--show-mmap-events"],
                           capture_output=True, text=True, check=True).stdout
    mapping = None
    for line in mmaps.splitlines():
        m = re.search(r"\[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ 0x([0-9a-f]+) .*r-xp (\S+)$", line)
        if m and m.group(4) == binary:
            mapping = tuple(int(x, 16) for x in m.groups()[:3])
            break
    if mapping is None:
        raise SystemExit(f"{perf_data}: {binary}'s code was never mapped")
    start, length, page_offset = mapping
    # a running address, less the mapping's start, plus its file offset, is a file offset;
    # the segment's address less its offset turns that into the address nm prints
    delta = seg_address - seg_offset + page_offset - start
    table = function_table(binary)
    starts = [entry[0] for entry in table]
    addresses = subprocess.run(["perf", "script", "-i", perf_data, "-F", "addr"],
                               capture_output=True, text=True, check=True).stdout.split()
    missed = []
    for text in addresses:
        address = int(text, 16)
        if not start <= address < start + length:
            continue  # data, or another object
        i = bisect.bisect_right(starts, address + delta) - 1
        if i < 0 or address + delta >= table[i][1]:
            continue  # between functions: PLT stubs, padding
        names = table[i][2]
        if not listed.intersection(names) and names[0] not in missed:
            missed.append(names[0])
    return missed


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "executed":
        print("\n".join(executed(sys.argv[2], sys.argv[3:])))
    elif len(sys.argv) == 5 and sys.argv[1] == "faults":
        missed = faults(*sys.argv[2:])
        if missed:
            print("\n".join(missed))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
