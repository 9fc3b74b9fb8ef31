#!/usr/bin/python3
"""The HTTP ops endpoint of the real bot, end to end: people plan on the console adapter, and
what an operator or a calendar app fetches follows.

    feed_and_metrics_test.py --bot build/bot/tweetup \
        --ics-check tests/integration/calendar/ics_check.py

- /calendar/<key>.ics, at the URL `!tweetup calendar` gives, read by python3-icalendar (through
  ics_check.py): a moved and a cancelled tweetup round-trip with SEQUENCE and STATUS.
- /metrics passes `promtool check metrics`, and its counters move with the traffic.
- unknown keys and paths get 404, other methods 405.
Every wait is for a condition, with a deadline; nothing sleeps to synchronise.
"""

import argparse
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

BOT = ""
ICS_CHECK = ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConsoleBot:
    """`tweetup run` on the console adapter with the HTTP endpoint on a loopback port."""

    def __init__(self, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWEETUP_")}
        env.update({"TWEETUP_DATABASE": os.path.join(workdir, "t.db"),
                    "TWEETUP_DEFAULT_TIMEZONE": "Europe/Berlin",
                    "TWEETUP_HTTP_LISTEN": f"127.0.0.1:{self.port}",
                    "TWEETUP_HTTP_PUBLIC_URL": self.base + "/",
                    "TWEETUP_LOG_LEVEL": "info", "USER": "ana"})
        self.process = subprocess.Popen([BOT, "run"], cwd=workdir, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, None), daemon=True).start()

    def _read(self, stream, into):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log.append(line)
            if into is not None:
                into.put(line)

    def say(self, text, expect, timeout=10.0):
        """Type a line and return the first output line matching `expect` (a regex)."""
        self.process.stdin.write((text + "\n").encode())
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {expect!r} after {text!r}; log:\n" +
                                     "\n".join(self.log[-30:]))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if re.search(expect, line):
                return line

    def wait_until_serving(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("the bot exited:\n" + "\n".join(self.log))
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # polling a starting process, up to the deadline
        raise AssertionError("the endpoint never answered:\n" + "\n".join(self.log))

    def close(self):
        self.process.stdin.close()  # end of input: the console session ends, the bot exits
        code = self.process.wait(timeout=10)
        return code


def fetch(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def sample(text, name, labels):
    """The value of one series in exposition text; 0 when it is absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        if series.startswith(name + "{") or series == name:
            inner = series[len(name):].strip("{}")
            if ",".join(sorted(inner.split(","))) == wanted:
                return float(value)
    return 0.0


class OpsEndpoint(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="tweetup-ops-")
        self.bot = ConsoleBot(self.workdir)
        self.bot.wait_until_serving()

    def tearDown(self):
        if self.bot.process.poll() is None:
            self.bot.process.kill()
            self.bot.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def test_the_calendar_feed_round_trips_a_moved_and_a_cancelled_tweetup(self):
        bot = self.bot
        bot.say("!tweetup Café Einstein; back room, by the piano tomorrow 3pm", r"Tweetup #1")
        bot.say("!tweetup Mon Ami Gabi tomorrow 7pm", r"Tweetup #2")
        bot.say("!tweetup move 1 tomorrow 5pm", r"#1")
        bot.say("!tweetup cancel 2", r"#2")
        url = re.search(r"(http://\S+\.ics)", bot.say("!tweetup calendar", r"\.ics")).group(1)
        self.assertTrue(url.startswith(bot.base + "/calendar/"))
        key = url.rsplit("/", 1)[1][:-4]
        self.assertRegex(key, r"^[0-9a-f]{32}$")  # unguessable, and no platform id in it

        status, headers, body = fetch(url)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/calendar"))
        expected = {"events": [
            {"location": "Café Einstein; back room, by the piano", "sequence": 1,
             "status": "CONFIRMED"},
            {"location": "Mon Ami Gabi", "sequence": 1, "status": "CANCELLED"}]}
        checked = subprocess.run(["/usr/bin/python3", ICS_CHECK, "-", "--expect",
                                  json.dumps(expected)], input=body, capture_output=True)
        self.assertEqual(checked.returncode, 0, checked.stderr.decode())
        feed = json.loads(checked.stdout)
        moved, cancelled = feed["events"]
        # Moved to 5 pm Berlin time: 16:00 UTC in winter, the day after the feed was made.
        self.assertTrue(moved["dtstart"].endswith("T16:00:00Z"), moved)
        self.assertNotEqual(moved["uid"], cancelled["uid"])

        # The same UIDs on the next fetch: a calendar app updates, it does not duplicate.
        again = subprocess.run(["/usr/bin/python3", ICS_CHECK, "-"], input=fetch(url)[2],
                               capture_output=True)
        self.assertEqual([e["uid"] for e in json.loads(again.stdout)["events"]],
                         [moved["uid"], cancelled["uid"]])

        self.assertEqual(fetch(bot.base + "/calendar/" + "0" * 32 + ".ics")[0], 404)
        self.assertEqual(fetch(bot.base + "/calendar/not-a-key.ics")[0], 404)
        self.assertEqual(fetch(bot.base + "/nowhere")[0], 404)
        self.assertEqual(fetch(url, method="POST")[0], 405)
        self.assertEqual(bot.close(), 0)

    def test_metrics_pass_promtool_and_the_counters_move(self):
        bot = self.bot
        status, headers, before = fetch(bot.base + "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        bot.say("!tweetup Starbucks Alabaster tomorrow 3pm", r"Tweetup #1")
        bot.say("!join 7", r"no tweetup #7")  # rejected
        _, _, after = fetch(bot.base + "/metrics")
        for text in (before, after):
            checked = subprocess.run(["promtool", "check", "metrics"], input=text,
                                     capture_output=True)
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        before, after = before.decode(), after.decode()
        received = {"adapter": "console"}
        self.assertEqual(sample(after, "tweetup_messages_received_total", received) -
                         sample(before, "tweetup_messages_received_total", received), 2)
        self.assertGreaterEqual(sample(after, "tweetup_messages_sent_total", received) -
                                sample(before, "tweetup_messages_sent_total", received), 2)
        ok = {"command": "tweetup", "outcome": "ok"}
        self.assertEqual(sample(after, "tweetup_commands_total", ok) -
                         sample(before, "tweetup_commands_total", ok), 1)
        rejected = {"command": "join", "outcome": "rejected"}
        self.assertEqual(sample(after, "tweetup_commands_total", rejected), 1)
        # The new tweetup's reminders are pending jobs; the commit was timed.
        self.assertGreater(sample(after, "tweetup_jobs_pending", {}), 0)
        self.assertGreater(sample(after, "tweetup_db_transaction_seconds_count", {}),
                           sample(before, "tweetup_db_transaction_seconds_count", {}))
        self.assertGreater(sample(after, "process_resident_memory_bytes", {}), 1_000_000)
        self.assertEqual(bot.close(), 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", required=True)
    parser.add_argument("--ics-check", required=True)
    known, rest = parser.parse_known_args()
    BOT, ICS_CHECK = known.bot, known.ics_check
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
