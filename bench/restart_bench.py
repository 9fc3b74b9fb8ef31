#!/usr/bin/python3
"""Restarts on the Discord path: the real tweetup binary, stopped and started again against the
in-repo emulator, as a deploy or a container restart does.

    /usr/bin/python3 bench/restart_bench.py --bot build/release/bot/tweetup [--restarts 10]

Each restart: SIGTERM to the running bot; one command said while no process runs; the bot
started again on the same config and database. Timed per restart:
  - stop: SIGTERM -> the process exited;
  - answer: the new process started -> its reply to the command said meanwhile reached REST;
  - gap: SIGTERM -> that reply, the whole time a user waited.
Two modes, each with its own emulator and database: `resume` (the default config: the stopping
process leaves its gateway session, the next one resumes it and Discord replays the gap) and
`identify` (discord.resume_after_restart: false: every start is a new session, which Discord
admits no sooner than 5 s after the last Identify, G14, and which does not replay the gap: the
command is said again once the bot is back, as a user would). Every command must be answered
exactly once.
"""

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "discord"))

from emulator import DiscordEmulator, RouteLimit  # noqa: E402
from harness import Scenario  # noqa: E402


def answered(emu, place):
    return [m for m in emu.bot_messages() if place in m.content]


async def one_mode(bot, mode, restarts):
    """Per restart (stop s, answer s, gap s), and the emulator's identify/resume counts."""
    # Every start asks GET /gateway/bot and answers in the same channel, and a new process
    # cannot know how much of those buckets the last one used; restarts a fraction of a second
    # apart would exhaust them, which measures the emulator's limits, not the restart.
    limits = {family: RouteLimit(1_000_000, 1.0) for family in ("gateway.bot", "messages.create")}
    emu = DiscordEmulator(echo_own_messages=False, heartbeat_interval_ms=41250,
                          route_limits=limits)
    await emu.start()
    config = {"log": {"level": "warn"},
              "discord": {"commands": "off", "resume_after_restart": mode == "resume"}}
    timings = []
    try:
        async with Scenario(binary=bot, emulator=emu, config=config) as sc:
            await emu.wait_for_ready()
            for index in range(restarts):
                place = f"Restart Cafe {index}"
                signalled = time.monotonic()
                code = await sc.stop_bot(signal.SIGTERM)
                stopped = time.monotonic()
                if code != 0:
                    raise AssertionError(f"the bot exited {code}:\n{sc.bot.log_tail()}")
                if mode == "resume":
                    # Said while no process runs: the session keeps it for the next one.
                    await emu.message_create(f"!tweetup {place} tomorrow 7pm")
                    started = time.monotonic()
                    await sc.start_bot()
                else:
                    # Nothing keeps it: the user says it again once the bot is back.
                    started = time.monotonic()
                    await sc.start_bot()
                    await emu.wait_for(lambda: emu.live_connection() is not None, 30.0,
                                       "a live session")
                    await emu.message_create(f"!tweetup {place} tomorrow 7pm")
                await sc.wait_for(lambda: answered(emu, place), 30.0, f"the answer to {place}")
                done = time.monotonic()
                timings.append((stopped - signalled, done - started, done - signalled))
            for index in range(restarts):
                count = len(answered(emu, f"Restart Cafe {index}"))
                if count != 1:
                    raise AssertionError(f"Restart Cafe {index} answered {count} times")
            ready = sum(1 for i in emu.identifies if i.outcome == "ready")
            resumed = sum(1 for r in emu.resumes if r.outcome == "resumed")
            others = [v for v in emu.violations if v.kind != "identify_too_fast"]
            if others:
                raise AssertionError(f"violations: {others}")
            return timings, ready, resumed
    finally:
        await emu.stop()


def describe(values):
    ms = sorted(v * 1000 for v in values)
    return f"p50 {statistics.median(ms):,.0f} ms, max {ms[-1]:,.0f} ms"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", required=True)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--mode", choices=("both", "resume", "identify"), default="both")
    args = parser.parse_args()
    bot = os.path.abspath(args.bot)
    modes = ("resume", "identify") if args.mode == "both" else (args.mode,)
    print(f"== restart ({time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, "
          f"{args.restarts} restarts per mode)")
    for mode in modes:
        timings, ready, resumed = await one_mode(bot, mode, args.restarts)
        stops, answers, gaps = zip(*timings)
        print(f"{mode}: stop {describe(stops)}; start -> answer {describe(answers)}; "
              f"SIGTERM -> answer {describe(gaps)}; {ready} READY, {resumed} RESUMED; "
              f"every command answered once")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
