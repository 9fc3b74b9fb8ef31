#!/usr/bin/python3
"""Ops endpoint benchmark: what a scrape, a health probe and a calendar fetch cost the bot.

    /usr/bin/python3 bench/ops_bench.py --bot build/release/bot/tweetup [--requests 2000]

The real binary on the console adapter, with `--tweetups` tweetups planned in one channel, then
`--requests` GETs of each of /healthz, /metrics and the channel's /calendar/<key>.ics over one
keep-alive connection. Prints, per path: requests/s, latency p50/p99 and the bot's CPU per
request (user + system, from /proc), the response size, and the bot's peak RSS at the end.
/healthz proves a database write at most once a second, so its figure is mostly the cached
answer, as a probe every few seconds would see it.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from proc_stats import cpu_seconds, peak_rss_kib, percentile, read_from_disk_at_start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_serving(port, process, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the bot exited before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling a starting process
    raise SystemExit("the endpoint never opened")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--tweetups", type=int, default=50)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="tweetup-ops-bench-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWEETUP_")}
    env.update({"TWEETUP_DATABASE": os.path.join(workdir, "t.db"),
                "TWEETUP_HTTP_LISTEN": f"127.0.0.1:{port}",
                "TWEETUP_HTTP_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "TWEETUP_LOG_LEVEL": "warn", "USER": "ana"})
    read_from_disk_at_start(os.path.abspath(args.bot))
    bot = subprocess.Popen([os.path.abspath(args.bot), "run"], env=env, cwd=workdir,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    try:
        wait_serving(port, bot)
        lines = [f"!tweetup Bench Cafe {i}, Main St tomorrow {1 + i % 11}pm"
                 for i in range(args.tweetups)] + ["!tweetup calendar"]
        bot.stdin.write(("\n".join(lines) + "\n").encode())
        bot.stdin.flush()
        key = None
        while key is None:
            line = bot.stdout.readline().decode()
            if not line:
                raise SystemExit("the bot stopped before giving the feed URL")
            found = re.search(r"/calendar/([0-9a-f]{32})\.ics", line)
            key = found and found.group(1)

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        print(f"== ops ({time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, "
              f"{args.tweetups} tweetups in the feed)")
        for path in ("/healthz", "/metrics", f"/calendar/{key}.ics"):
            latencies = []
            size = 0
            cpu_before = cpu_seconds(bot.pid)
            started = time.perf_counter()
            for _ in range(args.requests):
                sent = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                latencies.append((time.perf_counter() - sent) * 1000)
                if response.status != 200:
                    raise SystemExit(f"{path}: {response.status} {body[:200]!r}")
                size = len(body)
            wall = time.perf_counter() - started
            cpu = cpu_seconds(bot.pid) - cpu_before
            label = "/calendar/<key>.ics" if path.startswith("/calendar") else path
            print(f"{label}: {args.requests / wall:,.0f} requests/s, p50 "
                  f"{statistics.median(latencies):.3f} ms, p99 {percentile(latencies, 0.99):.3f} "
                  f"ms, bot CPU {cpu / args.requests * 1000:.3f} ms per request, {size:,} bytes")
        connection.close()
        print(f"peak RSS {peak_rss_kib(bot.pid) / 1024:.1f} MiB")
        bot.stdin.close()
        code = bot.wait(timeout=10)
        if code != 0:
            raise SystemExit(f"the bot exited with {code}")
        return 0
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)


if __name__ == "__main__":
    sys.exit(main())
