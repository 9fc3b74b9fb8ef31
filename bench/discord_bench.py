#!/usr/bin/python3
"""Discord path benchmark: the real tweetup binary against the in-repo emulator.

    /usr/bin/python3 bench/discord_bench.py --bot build/release/bot/tweetup [--commands 20000]

Traffic: `--commands` prefix commands over `--channels` channels, one create per channel and
then joins from distinct people, in two phases:
  1. full speed: every command dispatched back to back; prints wall time, the bot's CPU seconds
     (user + system, from /proc) and CPU per command, and reply latency (MESSAGE_CREATE sent by
     the emulator -> the bot's REST create received) p50/p99;
  2. paced at `--rate` commands/s: the same latency figures at a steady load.
Peak RSS is the bot's VmHWM at the end. With `--shards N` the emulator recommends N shards
(all in their own rate-limit bucket, so they start together) and the channels are spread over N
guilds, one per shard (G15): what each gateway connection costs. The emulator's rate limits are lifted for the run and
the bot's global REST budget (discord.global_rate_limit) raised, so the figures measure the bot,
not Discord's limits. Every reply is checked: none lost, none doubled. A fixed loop is timed
before and after the run: the machine's speed, without which CPU figures taken in different
minutes do not compare. So is the host's steal in each phase (CPU time the hypervisor took from
this VM): a latency maximum beside some may be the machine's, not the bot's.
"""

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "discord"))

from emulator import DiscordEmulator, RouteLimit  # noqa: E402
from harness import Scenario, self_signed_localhost, server_tls  # noqa: E402
from proc_stats import (cpu_seconds, cpu_times, fixed_loop_seconds,  # noqa: E402
                        host_steal_seconds, peak_rss_kib, percentile, read_from_disk_at_start)

GUILD_ID = "800000000000000001"


def guild_id(index, shards):
    """A guild snowflake on shard `index` of `shards`: (id >> 22) % shards == index."""
    if shards == 1:
        return GUILD_ID
    base = (int(GUILD_ID) >> 22) // shards * shards
    return str(((base + index) << 22) + 1)


def guilds_with(channels, shards=1):
    """`shards` guilds, one per shard, with the channels dealt out among them in turn."""
    return [{"id": guild_id(g, shards), "owner_id": "700000000000000001",
             "name": f"Bench Guild {g}",
             "channels": [{"id": str(810000000000000001 + i), "name": f"c{i}", "type": 0}
                          for i in range(g, channels, shards)]}
            for g in range(shards)]


def workload(channels, commands, first_user):
    """(channel id, content, author) per command: a create per channel, then joins."""
    plan = []
    ids = [str(810000000000000001 + i) for i in range(channels)]
    for cid in ids:
        plan.append((cid, "!tweetup Bench Cafe tomorrow 7pm", first_user))
    user = first_user + 1
    while len(plan) < commands:
        cid = ids[len(plan) % channels]
        plan.append((cid, "!join 1", user))
        user += 1
    return plan[:commands]


async def run_phase(emu, plan, rate, label):
    """Dispatch the plan (paced when rate > 0) and wait for every reply."""
    before = len(emu.tracks)
    start = time.perf_counter()
    sent_at = emu.now()
    for index, (cid, content, user) in enumerate(plan):
        if rate > 0:
            due = sent_at + index / rate
            delay = due - emu.now()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the load, not synchronising a test
        author = {"id": str(700000000000000000 + user), "username": f"u{user}", "bot": False}
        await emu.dispatch_message_burst([content], channel_id=cid, author=author)
    tracks = emu.tracks[before:]
    # Replies in a channel come in order, so the last track of each channel answered means
    # all of them were; checking 50 tracks per wake-up instead of 20,000 keeps the emulator fast.
    last = {}
    for track in tracks:
        last[track.channel_id] = track
    await emu.wait_for(lambda: all(t.answered_at is not None for t in last.values()),
                       timeout=600, what=f"every reply of the {label} phase")
    wall = time.perf_counter() - start
    latencies = [t.latency * 1000 for t in tracks]
    return wall, latencies


async def main():
    # The emulator's own garbage-collection pauses (tens of ms once it holds thousands of
    # messages) would show up as the bot's latency; a run is short enough to go without.
    gc.disable()
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot", required=True)
    parser.add_argument("--commands", type=int, default=20000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--paced", type=int, default=5000, help="commands in the paced phase")
    parser.add_argument("--database", help="the bot's database instead of a file in the run's "
                        "temporary directory; \":memory:\" shows what the disk costs")
    parser.add_argument("--batch-window-ms", type=float,
                        help="the bot's batch_window_ms (default: the bot's own, auto); 0 "
                        "wakes the bot for every event")
    parser.add_argument("--shards", type=int, default=1,
                        help="gateway shards the emulator recommends, one guild on each")
    parser.add_argument("--tls", action="store_true",
                        help="serve https:// and wss:// with a fresh self-signed certificate, "
                        "which the bot trusts through tls.ca_file: what Discord's TLS costs")
    args = parser.parse_args()

    limits = {family: RouteLimit(1_000_000, 1.0) for family in
              ("messages.create", "messages.edit", "webhook", "gateway.bot", "commands")}
    guilds = guilds_with(args.channels, args.shards)
    emu = DiscordEmulator(guilds=guilds, route_limits=limits,
                          global_limit=1_000_000, echo_own_messages=False,
                          heartbeat_interval_ms=41250, shards=args.shards,
                          max_concurrency=args.shards)
    certificates = tempfile.TemporaryDirectory(prefix="tweetup-bench-tls-") if args.tls else None
    serving_tls = None
    config = {"log": {"level": "warn"},
              "discord": {"commands": "off", "global_rate_limit": 100000,
                          "guild_ids": [g["id"] for g in guilds]}}
    if args.database:
        config["database"] = args.database
    if args.batch_window_ms is not None:
        config["batch_window_ms"] = args.batch_window_ms
    if args.tls:
        certificate = self_signed_localhost(certificates.name)
        serving_tls = server_tls(certificate)
        config["tls"] = {"ca_file": certificate[0]}
    loop_before = fixed_loop_seconds()
    await emu.start(ssl_context=serving_tls)
    try:
        bot = os.path.abspath(args.bot)
        read_from_disk_at_start(bot)
        async with Scenario(binary=bot, emulator=emu, config=config) as sc:
            await emu.wait_for_ready(count=args.shards)
            pid = sc.bot.process.pid
            user_before, system_before = cpu_times(pid)
            steal_before = host_steal_seconds()
            plan = workload(args.channels, args.commands, 1)
            wall, full = await run_phase(emu, plan, 0, "full-speed")
            user_after, system_after = cpu_times(pid)
            full_steal = host_steal_seconds() - steal_before
            user, system = user_after - user_before, system_after - system_before
            cpu = user + system

            paced_plan = [(cid, "!join 1", user) for cid, _, user in
                          workload(args.channels, args.paced + args.channels, 10_000_000)
                          [args.channels:]]
            paced_before = cpu_seconds(pid)
            steal_before = host_steal_seconds()
            _, paced = await run_phase(emu, paced_plan, args.rate, "paced")
            paced_cpu = cpu_seconds(pid) - paced_before
            paced_steal = host_steal_seconds() - steal_before
            rss = peak_rss_kib(pid)

            loop_after = fixed_loop_seconds()
            replies = len(emu.bot_messages())
            expected = len(plan) + len(paced_plan)
            creates = sum(1 for r in emu.requests if r.method == "POST" and
                          r.route.endswith("/messages"))
            print(f"== discord ({time.strftime('%Y-%m-%d', time.gmtime())}, "
                  f"{os.cpu_count()} cores{', TLS' if args.tls else ''}"
                  f"{f', {args.shards} shards' if args.shards > 1 else ''})")
            print(f"full speed: {len(plan)} commands over {args.channels} channels in "
                  f"{wall:.2f} s = {len(plan) / wall:,.0f} commands/s")
            print(f"  bot CPU {cpu:.2f} s = {cpu / len(plan) * 1000:.3f} ms per command "
                  f"(user {user:.2f} s, system {system:.2f} s)")
            print(f"  latency p50 {statistics.median(full):.2f} ms, "
                  f"p99 {percentile(full, 0.99):.2f} ms")
            if paced_plan:  # --paced 0: the full-speed phase alone
                print(f"paced at {args.rate:,.0f}/s: {len(paced_plan)} commands, latency p50 "
                      f"{statistics.median(paced):.2f} ms, p99 {percentile(paced, 0.99):.2f} ms, "
                      f"max {max(paced):.2f} ms; bot CPU "
                      f"{paced_cpu / len(paced_plan) * 1000:.3f} ms per command")
            print(f"peak RSS {rss / 1024:.1f} MiB")
            print(f"machine: a fixed loop took {loop_before:.2f} s of CPU before the run and "
                  f"{loop_after:.2f} s after (lower is faster); the host took "
                  f"{full_steal * 1000:.0f} ms of CPU from it (steal) at full speed"
                  f"{f' and {paced_steal * 1000:.0f} ms while paced' if paced_plan else ''}")
            print(f"replies {replies} for {expected} commands ({creates} create requests); "
                  f"violations {len(emu.violations)}")
            if replies != expected or emu.violations:
                print("FAILED: a reply was lost or doubled, or a rule was broken",
                      file=sys.stderr)
                return 1
            return 0
    finally:
        await emu.stop()
        if certificates:
            certificates.cleanup()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
