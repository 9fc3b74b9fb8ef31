#!/usr/bin/python3
"""The real tweetup binary against the Discord emulator: connection life cycle and replies.

Run by CTest with --bot $<TARGET_FILE:tweetup> --probe $<TARGET_FILE:discord_gateway_probe>;
by hand:
    /usr/bin/python3 tests/integration/discord/discord_test.py --bot build/bot/tweetup \
        --probe build/tests/integration/discord/discord_gateway_probe
Each test waits on conditions the emulator records; none sleeps to synchronise.
"""

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import sqlite3
import ssl
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

import harness
from emulator import (DEFAULT_CHANNEL_ID, DEFAULT_DM_CHANNEL_ID, DEFAULT_GUILD_ID, DiscordEmulator,
                      RouteLimit, default_guilds)
from harness import Scenario

# Short heartbeats keep the life-cycle tests fast; the bot reads the interval from Hello (G4).
FAST = {"heartbeat_interval_ms": 200}
CREATE = re.compile(r"^/channels/\d+/messages$")
# Without slash-command registration at READY, the only REST calls are the replies under test.
QUIET = {"discord": {"commands": "off"}}


def free_port():
    """A loopback port nothing listens on now (the kernel's pick, released for the bot)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_text(url):
    """The body of a GET, whatever the status (/healthz answers 503 while unhealthy)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


BOB = {"id": "700000000000000002", "username": "bob", "global_name": "Bob", "bot": False}


def creates(emu):
    return [r for r in emu.requests if r.method == "POST" and CREATE.match(r.route)]


class Replies(unittest.IsolatedAsyncioTestCase):
    async def test_a_command_is_answered_as_a_reply_that_pings_nobody(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            asked = await sc.emu.message_create("!tweetup Starbucks Alabaster 3pm @everyone")
            reply = await sc.emu.wait_for_bot_message()
            self.assertIn("Starbucks Alabaster", reply.content)
            # The time as Discord formatting, so each reader sees it in their own zone.
            self.assertRegex(reply.content, r"<t:\d+:F> \(<t:\d+:R>\)")
            # R5: nobody is pinged, although the user typed @everyone (L14).
            self.assertFalse(reply.pings["everyone"])
            self.assertEqual(reply.pings["users"], [])
            body = creates(sc.emu)[0].body
            self.assertEqual(body["allowed_mentions"]["parse"], [])
            self.assertIs(body["allowed_mentions"]["replied_user"], False)
            # R4: a nonce with enforce_nonce, so a resend cannot post twice.
            self.assertTrue(0 < len(body["nonce"]) <= 25)
            self.assertIs(body["enforce_nonce"], True)
            # A reply to the command, without pinging its author.
            self.assertEqual(body["message_reference"]["message_id"], asked["id"])
            self.assertIsNone(reply.pings["replied_user"])
            self.assertEqual(sc.emu.violations, [])
            self.assertEqual(await sc.stop_bot(), 0)

    async def test_the_identify_and_rest_calls_follow_the_book(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            identify = sc.emu.identifies[0].payload
            # G7: GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT.
            self.assertEqual(identify["intents"], 1 | 512 | 4096 | 32768)
            conn = sc.emu.connections[0]
            self.assertEqual(conn.path, "/gateway")  # G1: the URL from GET /gateway/bot
            self.assertTrue(conn.compress)  # G16
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for_bot_message()
            for request in sc.emu.requests:
                self.assertTrue(request.headers["User-Agent"].startswith("DiscordBot ("))
                self.assertRegex(request.headers["Authorization"], r"^Bot \S+$")
            self.assertEqual(sc.emu.violations, [])

    async def test_messages_from_bots_are_ignored(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetups", author={
                "id": "700000000000000009", "username": "otherbot", "bot": True})
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for(lambda: creates(sc.emu), what="the reply to the person")
            self.assertEqual(len(creates(sc.emu)), 1)

    async def test_with_resume_after_restart_off_sigterm_closes_with_1000_and_exits_0(self):
        config = {"discord": {"resume_after_restart": False}}
        async with Scenario(emulator=FAST, config=config) as sc:
            await sc.emu.wait_for_ready()
            self.assertEqual(await sc.stop_bot(signal.SIGTERM), 0)
            await sc.emu.wait_for(lambda: sc.emu.client_close_codes, what="a close frame")
            self.assertEqual(sc.emu.client_close_codes, [1000])  # G11: the session ends
            # So the next start identifies afresh.
            await sc.start_bot()
            await sc.emu.wait_for_ready(count=2, timeout=15.0)
            self.assertEqual(sc.emu.resumes, [])


MOD_ROLE = "850000000000000001"


def status_of(database, number):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute("SELECT status FROM events WHERE number = ?", (number,)).fetchone()
        return row[0] if row else None


class Restart(unittest.IsolatedAsyncioTestCase):
    """G9, G11: a stopping bot closes resumably and leaves its session in the database; the
    next process resumes it, so what was said while no process ran is replayed, not lost."""

    def guilds(self):
        guild = dict(default_guilds()[0], owner_id="700000000000000001", roles=[
            {"id": DEFAULT_GUILD_ID, "name": "@everyone", "permissions": "1071698660929"},
            {"id": MOD_ROLE, "name": "mods", "permissions": str(1 << 33)}])  # MANAGE_EVENTS
        return [guild]

    async def test_what_is_said_during_a_restart_is_answered_once_after_it(self):
        # Without the echo of its own messages, the last event of each run is the last command,
        # which the bot must have read to answer: the seq it resumes from is known exactly.
        emulator = dict(FAST, guilds=self.guilds(), echo_own_messages=False)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            await sc.emu.wait_for_bot_message(predicate=lambda m: "Starbucks" in m.content)
            self.assertEqual(await sc.stop_bot(signal.SIGTERM), 0)
            await sc.emu.wait_for(lambda: sc.emu.client_close_codes, what="a close frame")
            self.assertNotIn(sc.emu.client_close_codes[0], (1000, 1001))  # G11: kept
            session = sc.emu.current_session
            seq_at_stop = session.seq
            self.assertIn("left 1 gateway session", "\n".join(sc.runs[0].lines))

            # Said while no process runs: kept by Discord for the session.
            await sc.emu.message_create("!tweetup Noon Cafe tomorrow 7pm")
            # A moderator (by role, not the organizer) cancels the first tweetup: the rights
            # the last process learned from GUILD_CREATE hold without one.
            await sc.emu.message_create("!tweetup cancel 1", author=BOB,
                                        member={"roles": [MOD_ROLE]})
            await sc.start_bot()
            record = await sc.emu.wait_for_resumed()
            self.assertEqual(record.payload["session_id"], session.id)
            self.assertEqual(record.payload["seq"], seq_at_stop)
            self.assertEqual(record.path, "/resume")
            self.assertEqual(record.replayed, 2)
            await sc.emu.wait_for_bot_message(predicate=lambda m: "Noon Cafe" in m.content)
            await sc.wait_for(lambda: status_of(sc.config["database"], 1) == "cancelled",
                              what="the moderator's cancel")
            self.assertEqual(status_of(sc.config["database"], 2), "scheduled")
            self.assertEqual(len(sc.emu.identifies), 1)  # no new session was started

            # The handover is used once: the second process left its own, from where it
            # stopped, and the third replays nothing.
            await sc.wait_for(lambda: any("is cancelled" in m.content
                                          for m in sc.emu.bot_messages()),
                              what="the answer to the cancel")
            answered = len(sc.emu.bot_messages())
            self.assertEqual(await sc.stop_bot(signal.SIGTERM), 0)
            seq_second = sc.emu.current_session.seq
            await sc.start_bot()
            second = await sc.emu.wait_for_resumed(count=2)
            self.assertEqual(second.payload["seq"], seq_second)
            self.assertEqual(second.replayed, 0)
            await sc.emu.message_create("!tweetups")
            await sc.wait_for(lambda: len(sc.emu.bot_messages()) > answered, what="the list")
            self.assertEqual(len(sc.emu.bot_messages()), answered + 1)  # nothing answered twice
            self.assertIn("Noon Cafe", sc.emu.bot_messages()[-1].content)
            self.assertEqual(len(sc.emu.identifies), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_session_discord_no_longer_knows_leads_to_a_new_identify(self):
        emulator = dict(FAST, session_resume_timeout=0.0)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready()
            self.assertEqual(await sc.stop_bot(signal.SIGTERM), 0)
            await sc.start_bot()
            # Refused (op 9 false), then 1 - 5 s, then an Identify 5 s after the last (G14).
            await sc.emu.wait_for_ready(count=2, timeout=25.0)
            self.assertEqual([r.outcome for r in sc.emu.resumes], ["invalid_session"])
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for_bot_message()

    async def test_a_handover_of_another_bot_token_is_not_used(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            self.assertEqual(await sc.stop_bot(signal.SIGTERM), 0)
            # As if TWEETUP_DISCORD_TOKEN had changed: the stored handover names another token.
            with sqlite3.connect(sc.config["database"]) as db:
                db.execute("UPDATE adapter_memory SET value = json_set(value, '$.token_tag', "
                           "'0000000000000000') WHERE key = 'discord.gateway'")
            await sc.start_bot()
            await sc.emu.wait_for_ready(count=2, timeout=15.0)
            self.assertEqual(sc.emu.resumes, [])
            await sc.bot.wait_for_log(re.compile(r"another bot token"))


class Tls(unittest.IsolatedAsyncioTestCase):
    """The bot against the emulator over https:// and wss://, as against Discord: a certificate
    for "localhost" that the bot trusts only through tls.ca_file."""

    async def asyncSetUp(self):
        self._certificates = tempfile.TemporaryDirectory(prefix="tweetup-discord-tls-")
        self.certificate = harness.self_signed_localhost(self._certificates.name)
        self.emu = DiscordEmulator(**FAST)
        await self.emu.start(ssl_context=harness.server_tls(self.certificate))

    async def asyncTearDown(self):
        await self.emu.stop()
        self._certificates.cleanup()

    async def test_over_tls_the_bot_checks_the_certificate_and_answers(self):
        self.assertTrue(self.emu.api_base.startswith("https://localhost:"))
        self.assertTrue(self.emu.gateway_url.startswith("wss://localhost:"))
        config = harness.deep_merge(QUIET, {"tls": {"ca_file": self.certificate[0]}})
        async with Scenario(emulator=self.emu, config=config) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster 3pm")
            reply = await sc.emu.wait_for_bot_message()
            self.assertIn("Starbucks Alabaster", reply.content)
            # A drop over TLS resumes at the wss:// resume URL like any other.
            await sc.emu.drop_connection()
            record = await sc.emu.wait_for_resumed()
            self.assertEqual(record.path, "/resume")
            self.assertEqual(len(sc.emu.identifies), 1)
            self.assertEqual(sc.emu.violations, [])
            self.assertEqual(await sc.stop_bot(), 0)
            # The closing handshake over TLS, then the bot's close_notify and TCP teardown.
            await sc.emu.wait_for(lambda: sc.emu.client_close_codes, what="a close frame")
            self.assertEqual(len(sc.emu.client_close_codes), 1)
            self.assertNotIn(sc.emu.client_close_codes[0], (1000, 1001))  # kept for a restart

    async def test_an_untrusted_certificate_is_refused_and_the_log_says_why(self):
        # The emulator's side of each refused handshake is expected here, not worth a traceback.
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: None if isinstance(
            context.get("exception"), ssl.SSLError) else loop.default_exception_handler(context))
        # No tls.ca_file: the certificate is in no trust store the bot reads.
        async with Scenario(emulator=self.emu, config=QUIET) as sc:
            line = await sc.bot.wait_for_log(re.compile(r"certificate verify failed"))
            self.assertIn("localhost", line)
            # Nothing got through: the REST call for the gateway URL never reached the server.
            self.assertEqual(sc.emu.requests, [])
            self.assertEqual(sc.emu.identifies, [])


class Resume(unittest.IsolatedAsyncioTestCase):
    async def test_an_abrupt_drop_resumes_and_replays_what_was_missed(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.drop_connection()
            # Said while the bot was away: the resume must replay it (G9).
            await sc.emu.message_create("!tweetup Noon Cafe tomorrow 7pm")
            record = await sc.emu.wait_for_resumed()
            self.assertEqual(record.path, "/resume")  # L5: resume_gateway_url
            self.assertGreaterEqual(record.replayed, 1)
            reply = await sc.emu.wait_for_bot_message()
            self.assertIn("Noon Cafe", reply.content)
            self.assertEqual(len(sc.emu.identifies), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_op_7_reconnects_and_resumes(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.send_reconnect()
            await sc.emu.wait_for_resumed()
            self.assertEqual(len(sc.emu.identifies), 1)
            # The bot closed the old connection with a code that keeps the session (G11).
            self.assertTrue(all(code not in (1000, 1001) for code in sc.emu.client_close_codes))
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for_bot_message()

    async def test_a_zombie_connection_is_closed_without_1000_and_resumed(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.set_heartbeat_ack(False)
            stopped_acking = sc.emu.now()
            await sc.emu.wait_for(lambda: sc.emu.client_close_codes, what="a zombie close")
            self.assertNotIn(sc.emu.client_close_codes[0], (1000, 1001))  # G5, L2
            sc.emu.set_heartbeat_ack(True)
            record = await sc.emu.wait_for_resumed()
            # Detected and resumed within two heartbeat intervals, plus the jittered first beat.
            self.assertLess(record.time - stopped_acking, 3 * 0.2 + 0.3)

    async def test_a_server_heartbeat_request_is_answered_at_once(self):
        async with Scenario(emulator=FAST) as sc:
            conn = await sc.emu.wait_for_live()
            asked = await sc.emu.request_heartbeat()
            beat = await sc.emu.wait_for(
                lambda: next((h for h in conn.heartbeats if h.answered_request), None),
                what="the requested heartbeat")
            self.assertLess(beat.time - asked, 0.15)  # well before the next scheduled beat

    async def test_op_9_false_identifies_again_no_sooner_than_5_s_later(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.send_invalid_session(False)
            await sc.emu.wait_for_ready(count=2, timeout=15.0)
            first, second = sc.emu.identifies[0], sc.emu.identifies[1]
            self.assertGreaterEqual(second.time - first.time, 5.0)  # G14, L9
            self.assertEqual(second.path, "/gateway")  # G10: not the resume URL
            self.assertEqual(sc.emu.violations_of("identify_too_fast"), [])


class SessionStarts(unittest.IsolatedAsyncioTestCase):
    """G14: with no session start left, one more Identify makes Discord reset the token."""

    def gateway_bot_calls(self, emu):
        return [r for r in emu.requests if r.method == "GET" and r.route == "/gateway/bot"]

    async def test_with_none_left_the_bot_waits_for_the_reset_before_identifying(self):
        async with Scenario(emulator=FAST, start_bot=False) as sc:
            sc.emu.use_up_session_starts(resets_in=1.5)
            began = sc.emu.now()
            await sc.start_bot()
            await sc.bot.wait_for_log(re.compile(r"no more session starts"), timeout=10.0)
            await sc.emu.wait_for_ready(timeout=15.0)
            self.assertGreaterEqual(sc.emu.identifies[0].time - began, 1.5)
            self.assertEqual(len(sc.emu.identifies), 1)
            self.assertEqual(sc.emu.violations_of("session_start_limit"), [])

    async def test_a_new_identify_in_the_same_run_asks_again_and_waits_too(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            # The first Identify used the limit that came with the gateway URL.
            self.assertEqual(len(self.gateway_bot_calls(sc.emu)), 1)
            # Past the 5 s between Identifies (G14), which alone would not wait long enough.
            sc.emu.use_up_session_starts(resets_in=6.5)
            used_up = sc.emu.now()
            await sc.emu.send_invalid_session(False)
            await sc.emu.wait_for_ready(count=2, timeout=20.0)
            self.assertGreaterEqual(sc.emu.identifies[1].time - used_up, 6.5)
            # Asked before the second Identify, and again once the wait was over.
            self.assertEqual(len(self.gateway_bot_calls(sc.emu)), 3)
            self.assertEqual(sc.emu.violations_of("session_start_limit"), [])
            self.assertEqual(sc.emu.violations, [])


# A second guild, on shard 0 of 2; the default guild is on shard 1: (id >> 22) % 2 (G15).
SHARD0_GUILD_ID = str(int(DEFAULT_GUILD_ID) + (1 << 22))
SHARD0_CHANNEL_ID = "810000000000000009"
TWO_GUILDS = default_guilds() + [{"id": SHARD0_GUILD_ID, "name": "Second Guild", "channels": [
    {"id": SHARD0_CHANNEL_ID, "name": "general", "type": 0}]}]


class Sharding(unittest.IsolatedAsyncioTestCase):
    """G15: past 2,500 guilds a bot must shard, as many as GET /gateway/bot recommends; G14:
    shards identify in buckets of max_concurrency, one per bucket per 5 s."""

    def ready_identifies(self, emu):
        return [i for i in emu.identifies if i.outcome == "ready"]

    async def answered_everywhere(self, sc):
        for channel in (DEFAULT_CHANNEL_ID, SHARD0_CHANNEL_ID, DEFAULT_DM_CHANNEL_ID):
            await sc.emu.message_create("!tweetups", channel_id=channel)
            await sc.emu.wait_for_bot_message(channel)

    async def test_every_recommended_shard_answers_its_guilds_and_shard_0_the_dms(self):
        emulator = dict(FAST, shards=2, max_concurrency=2, guilds=TWO_GUILDS)
        listen = f"127.0.0.1:{free_port()}"
        async with Scenario(emulator=emulator, config={"http": {"listen": listen}}) as sc:
            await sc.emu.wait_for_ready(count=2)
            first, second = self.ready_identifies(sc.emu)
            self.assertEqual(sorted([first.payload["shard"], second.payload["shard"]]),
                             [[0, 2], [1, 2]])
            self.assertLess(abs(second.time - first.time), 2.0)  # two buckets: no 5 s wait
            # Each shard's READY and GUILD_CREATE named only its guild; both got answered.
            await self.answered_everywhere(sc)
            # The health check counts the shards.
            health = await asyncio.to_thread(fetch_text, f"http://{listen}/healthz")
            self.assertIn("discord connected (2 of 2 shards)", health)
            self.assertEqual(sc.emu.violations, [])
            self.assertEqual(await sc.stop_bot(), 0)
            # Both sessions left resumable for the next start (G11).
            self.assertEqual(len(sc.emu.client_close_codes), 2)
            self.assertFalse(set(sc.emu.client_close_codes) & {1000, 1001})
            await sc.start_bot()
            await sc.emu.wait_for_resumed(count=2)
            self.assertEqual(len(self.ready_identifies(sc.emu)), 2)
            await self.answered_everywhere(sc)

    async def test_shards_in_one_bucket_identify_5_s_apart(self):
        emulator = dict(FAST, shards=2, max_concurrency=1, guilds=TWO_GUILDS)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready(count=2, timeout=20.0)
            first, second = self.ready_identifies(sc.emu)
            self.assertGreaterEqual(second.time - first.time, 5.0)
            self.assertEqual(len(sc.emu.identifies), 2)  # none refused as too fast
            await self.answered_everywhere(sc)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_stop_while_shards_wait_for_their_turn_ends_at_once(self):
        # One bucket, three shards: the second waits 5 s for its turn, the third for the second.
        emulator = dict(FAST, shards=3, max_concurrency=1, guilds=TWO_GUILDS)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready()
            self.assertEqual(await sc.stop_bot(timeout=3.0), 0)
            self.assertEqual(len(sc.emu.identifies), 1)  # the waiting shards never identified

    async def test_a_dropped_shard_resumes_alone(self):
        emulator = dict(FAST, shards=2, max_concurrency=2, guilds=TWO_GUILDS)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready(count=2)
            await sc.emu.wait_for(lambda: len([c for c in sc.emu.connections if c.live]) == 2,
                                  what="both shards live")
            one = sc.emu.shard_sessions[1]
            other = sc.emu.shard_sessions[0].connection
            await sc.emu.drop_connection(one.connection)
            # The default guild is shard 1's: said while it was away, replayed on its resume.
            await sc.emu.message_create("!tweetup Noon Cafe tomorrow 7pm")
            record = await sc.emu.wait_for_resumed()
            self.assertEqual(record.payload["session_id"], one.id)
            reply = await sc.emu.wait_for_bot_message(DEFAULT_CHANNEL_ID)
            self.assertIn("Noon Cafe", reply.content)
            self.assertTrue(other.is_open)
            self.assertEqual(len(sc.emu.identifies), 2)
            self.assertEqual(sc.emu.violations, [])

    async def test_4011_in_auto_mode_starts_again_with_more_shards(self):
        # Discord's recommendation lags behind its requirement, as after a burst of invites.
        emulator = dict(FAST, shards=1, required_shards=2, max_concurrency=2, guilds=TWO_GUILDS)
        async with Scenario(emulator=emulator) as sc:
            await sc.emu.wait_for_ready(count=2, timeout=20.0)
            refused = sc.emu.identifies[0]
            self.assertEqual(refused.outcome, "closed 4011")
            self.assertNotIn("shard", refused.payload)
            ready = self.ready_identifies(sc.emu)
            self.assertEqual(sorted(i.payload["shard"] for i in ready), [[0, 2], [1, 2]])
            # Shard 0 is in the refused Identify's bucket: it waited out the 5 s.
            shard0 = next(i for i in ready if i.payload["shard"][0] == 0)
            self.assertGreaterEqual(shard0.time - refused.time, 5.0)
            self.assertTrue(sc.bot.find_log(re.compile(r"requires more shards")),
                            sc.bot.log_tail())
            await self.answered_everywhere(sc)
            self.assertTrue(sc.bot.running)
            self.assertEqual(sc.emu.violations, [])

    async def test_4011_with_a_fixed_shard_count_is_fatal_and_says_what_to_change(self):
        async with Scenario(emulator=dict(FAST, required_shards=2),
                            config={"discord": {"shards": 1}}) as sc:
            code = await sc.bot.wait_exit(timeout=15.0)
            self.assertEqual(code, 1)
            self.assertTrue(sc.bot.find_log(re.compile(r"4011.*discord\.shards")),
                            sc.bot.log_tail())
            self.assertEqual(len(sc.emu.connections), 1)  # L4: no reconnect loop


class Fatal(unittest.IsolatedAsyncioTestCase):
    async def test_close_code_4004_is_a_clean_fatal_exit(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.close_connection(4004, "Authentication failed.")
            code = await sc.bot.wait_exit(timeout=15.0)
            self.assertEqual(code, 1)
            self.assertTrue(sc.bot.find_log(re.compile(r"4004")), sc.bot.log_tail())
            self.assertEqual(len(sc.emu.connections), 1)  # L4: no reconnect loop

    async def test_a_token_refused_by_rest_is_a_clean_fatal_exit(self):
        async with Scenario(emulator=FAST, token="not-the-token") as sc:
            code = await sc.bot.wait_exit(timeout=15.0)
            self.assertEqual(code, 1)
            self.assertTrue(sc.bot.find_log(re.compile(r"TWEETUP_DISCORD_TOKEN")), sc.bot.log_tail())
            self.assertEqual(len(sc.emu.requests), 1)  # R11: no more calls after a 401
            self.assertEqual(sc.emu.connections, [])
            self.assertNotIn("not-the-token", "\n".join(sc.bot.find_log(lambda line: True)))

    async def test_a_disallowed_intent_names_the_privileged_intent(self):
        # MESSAGE_CONTENT switched off in the "Developer Portal": 4014.
        async with Scenario(emulator=dict(FAST, disallowed_intents=1 << 15)) as sc:
            code = await sc.bot.wait_exit(timeout=15.0)
            self.assertNotEqual(code, 0)
            self.assertTrue(sc.bot.find_log(re.compile(r"4014")), sc.bot.log_tail())
            self.assertTrue(sc.bot.find_log(re.compile(r"MESSAGE_CONTENT|privileged", re.I)),
                            sc.bot.log_tail())
            self.assertEqual(len(sc.emu.identifies), 1)


class RateLimits(unittest.IsolatedAsyncioTestCase):
    async def test_a_429_is_retried_after_retry_after_and_nothing_is_lost(self):
        async with Scenario(emulator=FAST, config=QUIET) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.inject_fault("POST", CREATE.pattern, "429", retry_after=0.4)
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for_bot_message()
            first, second = creates(sc.emu)[:2]
            self.assertEqual(first.status, 429)
            self.assertEqual(second.status, 200)
            self.assertGreaterEqual(second.time - first.time, 0.4 - 0.01)
            self.assertEqual(len(sc.emu.bot_messages()), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_global_429_pauses_every_request(self):
        async with Scenario(emulator=FAST, config=QUIET) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.inject_fault("POST", CREATE.pattern, "429", retry_after=0.4, scope="global")
            await sc.emu.message_create("!tweetups")
            limited = await sc.emu.wait_for_request(lambda r: r.status == 429)
            # Once the bot has read the 429 (not merely once it was sent: a request the bot
            # wrote before reading it is in flight, as with Discord itself)...
            await sc.bot.wait_for_log(re.compile(r"429 global rate limit"))
            # ...another channel, another bucket: only the global pause holds this one back.
            await sc.emu.message_create("!tweetups", channel_id="810000000000000002")
            await sc.emu.wait_for(lambda: len(sc.emu.bot_messages()) == 2, what="both replies")
            for request in creates(sc.emu)[1:]:
                self.assertGreaterEqual(request.time - limited.completed_at, 0.4 - 0.01)
            # A request during the global pause would be a violation (R11).
            self.assertEqual(sc.emu.violations, [])

    async def test_a_5xx_after_the_message_was_created_does_not_duplicate_it(self):
        async with Scenario(emulator=FAST, config=QUIET) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.inject_fault("POST", CREATE.pattern, "after", status=502)
            await sc.emu.message_create("!tweetups")
            await sc.emu.wait_for(lambda: len(creates(sc.emu)) >= 2 and
                                  creates(sc.emu)[1].completed_at, what="the retry")
            self.assertEqual(creates(sc.emu)[0].status, 502)
            self.assertEqual(creates(sc.emu)[1].body["nonce"], creates(sc.emu)[0].body["nonce"])
            self.assertEqual(len(sc.emu.bot_messages()), 1)  # R4: enforce_nonce deduplicated

    async def test_replies_to_one_channel_keep_their_order(self):
        async with Scenario(emulator=FAST, config=QUIET) as sc:
            await sc.emu.wait_for_ready()
            for place in ("Alpha Cafe", "Beta Cafe", "Gamma Cafe", "Delta Cafe", "Epsilon Cafe",
                          "Zeta Cafe", "Eta Cafe"):
                await sc.emu.message_create(f"!tweetup {place} tomorrow 6pm")
            # Only the replies (Discord replies to the commands): a reminder may fall due
            # meanwhile (run at 17:59 UTC, the default zone's "tomorrow 6pm" has its 24 h
            # reminder at 18:00).
            def replies():
                return [m for m in sc.emu.bot_messages() if m.message.get("message_reference")]
            await sc.emu.wait_for(lambda: len(replies()) == 7, timeout=15.0,
                                  what="seven replies")
            order = [m.content.split(" ")[2] for m in replies()]
            self.assertEqual(order, ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta"])
            # Seven creates against a 5 per 5 s bucket: the bot waited instead of hitting 429s.
            self.assertEqual(sc.emu.violations_of("route_rate_limit"), [])


class Backpressure(unittest.IsolatedAsyncioTestCase):
    async def test_slow_rest_pauses_the_gateway_reads_and_loses_nothing(self):
        # Every REST connection (8) is stuck for 4 s at the start of a burst of 2,000 commands
        # over 10 channels. Without backpressure the bot would read them all and queue 2,000
        # replies; with it, reading stops once 1,024 are queued (rest_backpressure's default
        # high mark) and resumes at 256. Discord's limits are lifted: the bot's queue is
        # under test, not its rate limiter.
        count, channels, high_mark = 2000, 10, 1024
        ids = [str(810000000000000001 + i) for i in range(channels)]
        guild = {"id": GUILD, "owner_id": "700000000000000001", "name": "Busy Guild",
                 "channels": [{"id": cid, "name": f"c{i}", "type": 0}
                              for i, cid in enumerate(ids)]}
        # Heartbeats every 1.5 s: a pause spans two of them (the ACK of the first unread when
        # the second is due would be a zombie connection), and the emulator, busy sending the
        # burst, still answers each well within one interval.
        emu_config = dict(heartbeat_interval_ms=1500, guilds=[guild], global_limit=1_000_000,
                          route_limits={"messages.create": RouteLimit(1_000_000, 1.0)})
        config = {"discord": {"commands": "off", "global_rate_limit": 100000}}
        async with Scenario(emulator=emu_config, config=config) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.inject_fault("POST", CREATE.pattern, "delay", count=8, seconds=4.0)
            beats_before = len(sc.emu.heartbeats)
            tracks = []
            for i in range(count):
                tracks += await sc.emu.dispatch_message_burst(["!tweetups"],
                                                              channel_id=ids[i % channels])
                if i % 50 == 0:
                    await asyncio.sleep(0)  # a turn for the emulator's gateway and REST
            await sc.wait_for(lambda: all(t.answered_at is not None for t in tracks),
                              timeout=60.0, what="every reply")
            paused = await sc.bot.wait_for_log(re.compile(r"gateway reads paused: \d+ REST"))
            await sc.bot.wait_for_log(re.compile(r"gateway reads resumed"))
            # Every reply exactly once, in its channel; no retry was needed.
            self.assertEqual(len(sc.emu.bot_messages()), count)
            for cid in ids:
                self.assertEqual(len(sc.emu.bot_messages(cid)), count // channels)
            self.assertEqual(len(creates(sc.emu)), count)
            # Heartbeats kept flowing while nothing was read, and no beat was taken for a
            # zombie connection.
            self.assertGreaterEqual(len(sc.emu.heartbeats) - beats_before, 2)
            self.assertEqual(len(sc.emu.connections), 1)
            self.assertEqual(sc.emu.client_close_codes, [])
            self.assertFalse(any("zombie" in line for line in sc.bot.lines))
            self.assertEqual(sc.emu.violations, [])
            self.assertEqual(await sc.stop_bot(), 0)
            # Reading paused when the queue and the commands read but not yet answered (queued
            # for a commit or waiting for its sync) reached the mark together...
            load = re.search(r"(\d+) REST calls .* (\d+) commands unanswered", paused)
            self.assertGreaterEqual(int(load.group(1)) + int(load.group(2)), high_mark, paused)
            # ...so the queue stayed at it: it passes it only by the reply to a frame being read
            # as the pause began, however slow the syncs, far below the 2,000 of no pause.
            peak = re.compile(r"REST queue peak (\d+) calls")
            line = next(line for line in sc.bot.lines if peak.search(line))
            self.assertLessEqual(int(peak.search(line).group(1)), high_mark + 2, line)


GUILD = "800000000000000001"


async def registered(sc):
    """Waits for the bot's session and for /tweetup in the guild."""
    await sc.emu.wait_for_ready()
    await sc.emu.wait_for(lambda: sc.emu.commands.get(GUILD), what="/tweetup registered")


def buttons(message):
    return [c["custom_id"] for row in message.message.get("components", [])
            for c in row.get("components", [])]


def embed_text(message):
    return " ".join(str(e) for e in message.message.get("embeds", []))


class Interactions(unittest.IsolatedAsyncioTestCase):
    async def deferred_then_filled_in(self, sc, asked, words):
        """Waits for `asked` to be deferred within R8's 3 s and its original to be filled in
        with a text holding `words`; returns that message."""
        await sc.emu.wait_for(lambda: asked.acked, what="the interaction's answer")
        self.assertEqual(asked.ack_type, 5)  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        self.assertLess(asked.ack_elapsed, 3.0)

        def filled_in():
            original = sc.emu.find_message(asked.original_message_id or "")
            return original is not None and words in original.content

        await sc.emu.wait_for(filled_in, what="the deferred answer filled in")
        return sc.emu.find_message(asked.original_message_id)

    async def test_slash_create_is_answered_in_time_with_the_card_and_buttons(self):
        async with Scenario(emulator=FAST) as sc:
            await registered(sc)
            asked = await sc.emu.slash_command("create", {"place": "Starbucks Alabaster",
                                                          "when": "tomorrow 3pm"})
            await sc.emu.wait_for(lambda: asked.acked, what="the interaction's answer")
            self.assertEqual(asked.ack_type, 4)
            self.assertLess(asked.ack_elapsed, 3.0)  # R8
            original = sc.emu.find_message(asked.original_message_id)
            self.assertIn("Starbucks Alabaster", original.content)
            self.assertEqual(buttons(original), ["rsvp:yes:1", "rsvp:maybe:1", "rsvp:no:1"])
            self.assertRegex(embed_text(original), r"<t:\d+:F>")  # each reader's local time
            self.assertEqual(sc.emu.violations, [])

    async def test_a_callback_whose_answer_was_lost_is_not_repeated_and_its_card_lives(self):
        async with Scenario(emulator=FAST) as sc:
            await registered(sc)
            # Discord makes the answer, but the bot sees a 502 and tries again (R11), which
            # Discord refuses: the interaction was acknowledged (40060).
            sc.emu.inject_fault("POST", r"^/interactions/\d+/[^/]+/callback$", "after",
                                status=502)
            asked = await sc.emu.slash_command("create", {"place": "Starbucks Alabaster",
                                                          "when": "tomorrow 3pm"})
            await sc.emu.wait_for(lambda: len(asked.callbacks) == 2, what="the callback's retry")
            self.assertEqual(asked.callbacks[1]["status"], 400)
            # The bot took the refusal for the acknowledgement it was and asked which message
            # the callback made.
            await sc.emu.wait_for(
                lambda: any(r.status == 200 and r.completed_at is not None for r in
                            sc.emu.requests_to("GET", r"/messages/@original$")),
                what="the bot to ask for @original")
            # The card it made is still the tweetup's, and a join shows on it.
            await sc.emu.message_create("!join 1 +1", author=BOB)
            await sc.emu.wait_for(
                lambda: "3 going" in embed_text(sc.emu.find_message(asked.original_message_id)),
                what="the card to show 3 going")
            self.assertEqual(len([m for m in sc.emu.bot_messages() if buttons(m)]), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_join_while_the_new_card_is_being_made_shows_on_it(self):
        async with Scenario(emulator=FAST) as sc:
            await registered(sc)
            # Discord is slow to answer the callback that makes the card, so the bot does not
            # know the card's id when Bob joins.
            sc.emu.inject_fault("POST", r"^/interactions/\d+/[^/]+/callback$", "delay",
                                seconds=1.0)
            asked = await sc.emu.slash_command("create", {"place": "Starbucks Alabaster",
                                                          "when": "tomorrow 3pm"})
            await sc.emu.wait_for(lambda: sc.emu.requests_to("POST", r"/callback$"),
                                  what="the callback on its way")
            joined = await sc.emu.message_create("!join 1 +1", author=BOB)
            await sc.emu.wait_for_bot_message(predicate=lambda m: m.message.get(
                "message_reference", {}).get("message_id") == joined["id"])
            self.assertFalse(asked.acked)  # the join was answered before the card was made
            # The card was made with one going; the join's change waited for its id.
            await sc.emu.wait_for(lambda: asked.acked, what="the interaction's answer")
            await sc.emu.wait_for(
                lambda: "3 going" in embed_text(sc.emu.find_message(asked.original_message_id)),
                what="the card to show 3 going")
            self.assertEqual(sc.emu.violations, [])

    async def test_an_interaction_read_late_is_deferred_within_its_3_s(self):
        async with Scenario(emulator=FAST) as sc:
            await registered(sc)
            # Made 2.5 s before the bot reads it (as after a pause of its reads, or a resume's
            # replay): R8's 3 s count from then, so a fast handler must still defer.
            asked = await sc.emu.slash_command("create", {"place": "Starbucks Alabaster",
                                                          "when": "tomorrow 3pm"},
                                               created_ago=2.5)
            await self.deferred_then_filled_in(sc, asked, "Starbucks Alabaster")
            self.assertEqual(sc.emu.violations, [])

    async def test_a_slow_command_is_deferred_and_its_answer_filled_in_later(self):
        # The default 41.25 s heartbeat: the stall below must not look like a dead connection.
        async with Scenario(emulator={}) as sc:
            await registered(sc)
            # Another connection holds the database's write lock, so the bot's transaction waits
            # on its busy timeout (5 s): a handler slower than the 2 s the adapter allows itself
            # before it must defer (R8: an answer later than 3 s is lost).
            blocker = sqlite3.connect(sc.config["database"], timeout=0, isolation_level=None)
            try:
                blocker.execute("BEGIN IMMEDIATE")
                asked = await sc.emu.slash_command("create", {"place": "Starbucks Alabaster",
                                                              "when": "tomorrow 3pm"})
                # Not a wait for the bot: this is how slow the handler is made to be.
                await asyncio.sleep(2.2)
                blocker.execute("COMMIT")
            finally:
                blocker.close()
            original = await self.deferred_then_filled_in(sc, asked, "Starbucks Alabaster")
            self.assertEqual(buttons(original), ["rsvp:yes:1", "rsvp:maybe:1", "rsvp:no:1"])
            edits = [r for r in sc.emu.requests
                     if r.method == "PATCH" and r.route.endswith("/messages/@original")]
            self.assertEqual(len(edits), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_tap_updates_the_counts_in_place_and_confirms_privately(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            self.assertIn("1 going", embed_text(card))
            tap = await sc.emu.button_click("rsvp:yes:1", card.id, user=BOB)
            await sc.emu.wait_for(lambda: tap.acked, what="the tap's answer")
            self.assertEqual(tap.ack_type, 7)  # UPDATE_MESSAGE
            self.assertLess(tap.ack_elapsed, 3.0)
            self.assertIn("2 going", embed_text(sc.emu.find_message(card.id)))
            confirmation = await sc.emu.wait_for_bot_message(
                predicate=lambda m: m.ephemeral and "going" in m.content)
            self.assertIn("You're going", confirmation.content)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_follow_up_answered_with_a_5xx_is_not_sent_twice(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            # Discord posts the private confirmation, then answers 502. A webhook's message
            # has no nonce, so a second POST would post it twice.
            sc.emu.inject_fault("POST", r"^/webhooks/\d+/[^/]+$", "after", status=502)
            await sc.emu.button_click("rsvp:yes:1", card.id, user=BOB)
            await sc.bot.wait_for_log(re.compile(r"not retried: Discord may have acted on it"))
            confirmations = [m for m in sc.emu.bot_messages() if m.ephemeral]
            self.assertEqual(len(confirmations), 1)
            self.assertEqual(len(sc.emu.requests_to("POST", r"^/webhooks/\d+/[^/]+$")), 1)

    async def test_a_typed_join_refreshes_the_card_too(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            await sc.emu.message_create("!join 1 +1", author=BOB)
            await sc.emu.wait_for(lambda: "3 going" in embed_text(sc.emu.find_message(card.id)),
                                  what="the card to show 3 going")

    async def test_a_join_while_two_cards_of_the_tweetup_are_being_made_shows_on_the_last(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            # Discord is slow with the announcement and with the card `info` shows again; the
            # channel's posts go in order, so both are being made when Bob joins.
            sc.emu.inject_fault("POST", r"^/channels/\d+/messages$", "delay", count=2,
                                seconds=0.5)
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            await sc.emu.message_create("!tweetup info 1")
            await sc.emu.message_create("!join 1 +1", author=BOB)
            await sc.emu.wait_for(lambda: len([m for m in sc.emu.bot_messages() if buttons(m)]) == 2,
                                  what="both cards")
            # Both were made with one going; the change waited for each card's id, the last
            # one's too, though the first was refreshed before it was made.
            for card in [m for m in sc.emu.bot_messages() if buttons(m)]:
                await sc.emu.wait_for(
                    lambda: "3 going" in embed_text(sc.emu.find_message(card.id)),
                    what="each card to show 3 going")
            self.assertEqual(sc.emu.violations, [])

    async def test_a_join_waiting_on_two_cards_goes_to_the_second_when_the_first_fails(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            # Discord takes its time to refuse the announcement (Missing Permissions), so the
            # card `info` shows is being made too when Bob joins. The change must wait for the
            # second card, not be dropped with the first that never came.
            sc.emu.inject_fault("POST", r"^/channels/\d+/messages$", "status", status=403,
                                code=50013, message="Missing Permissions", seconds=0.5)
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            await sc.emu.message_create("!tweetup info 1")
            await sc.emu.message_create("!join 1 +1", author=BOB)
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            await sc.emu.wait_for(lambda: "3 going" in embed_text(sc.emu.find_message(card.id)),
                                  what="the card to show 3 going")
            posts = sc.emu.requests_to("POST", r"^/channels/\d+/messages$")
            self.assertEqual([p.status for p in posts[:2]], [403, 200])
            # The card was made before Bob's join was seen; the change came after it.
            self.assertIn("1 going", str(posts[1].body["embeds"]))
            self.assertTrue(sc.emu.requests_to("PATCH", rf"/messages/{card.id}$"))
            self.assertEqual(len([m for m in sc.emu.bot_messages() if buttons(m)]), 1)

    async def test_a_burst_of_joins_refreshes_the_card_once_a_second_with_the_last_counts(self):
        async with Scenario(emulator=FAST, config=QUIET) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            for i in range(20):
                await sc.emu.message_create("!join 1", author={
                    "id": str(700000000000000100 + i), "username": f"p{i}", "bot": False})
            await sc.emu.wait_for(lambda: "21 going" in embed_text(sc.emu.find_message(card.id)),
                                  what="the card to show all 21")
            patches = sc.emu.requests_to("PATCH", rf"/messages/{card.id}$")
            # The first change shows at once; the rest wait out the card's refresh interval
            # (1 s) and go out together, instead of one PATCH per join.
            self.assertLess(len(patches), 20)
            gaps = [later.time - earlier.time for earlier, later in zip(patches, patches[1:])]
            self.assertTrue(all(gap > 0.9 for gap in gaps), gaps)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_cancelled_tweetups_card_loses_its_buttons(self):
        async with Scenario(emulator=FAST) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            card = await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))
            await sc.emu.message_create("!tweetup cancel 1")
            await sc.emu.wait_for(lambda: not buttons(sc.emu.find_message(card.id)),
                                  what="the buttons to go")
            self.assertIn("Cancelled", embed_text(sc.emu.find_message(card.id)))

    async def test_the_command_is_registered_once_not_on_every_start(self):
        async with Scenario(emulator=FAST) as sc:
            await registered(sc)
            self.assertEqual(await sc.stop_bot(), 0)
            await sc.start_bot()
            await sc.emu.wait_for_resumed()  # no READY: the check follows RESUMED too
            await sc.emu.wait_for(lambda: len(sc.emu.requests_to("GET", r"/commands$")) == 2,
                                  what="the second start's check")
            await sc.bot.wait_for_log(re.compile(r"up to date"))
            self.assertEqual(sum(sc.emu.command_puts.values()), 1)  # R9


def job_state(database, kind):
    """The state of the tweetup's one job of `kind`, read as another process would."""
    db = sqlite3.connect(database, timeout=5)
    try:
        row = db.execute("SELECT state FROM jobs WHERE kind = ?", (kind,)).fetchone()
        return row[0] if row else None
    finally:
        db.close()


class Reminders(unittest.IsolatedAsyncioTestCase):
    """A job is sent when Discord has the message, and dropped when Discord refuses it for
    good; until Discord answers it stays `sending`, so a restart would send it again, with its
    nonce."""

    async def create_due_soon(self, sc):
        start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=6)
        await sc.emu.message_create("!tweetup Starbucks " + start.strftime("%Y-%m-%dT%H:%M:%SZ"))
        await sc.emu.wait_for_bot_message(predicate=lambda m: buttons(m))

    def reminder_posts(self, sc):
        return [r for r in sc.emu.requests_to("POST", r"^/channels/\d+/messages$")
                if "Reminder:" in str((r.body or {}).get("content"))]

    async def test_a_reminder_is_recorded_as_sent_only_once_discord_has_it(self):
        async with Scenario(emulator=FAST, env={"TWEETUP_REMINDERS": "3s"}) as sc:
            await sc.emu.wait_for_ready()
            await self.create_due_soon(sc)
            sc.emu.inject_fault("POST", r"^/channels/\d+/messages$", "delay", seconds=1.5)
            await sc.wait_for(lambda: self.reminder_posts(sc), what="the reminder on its way")
            # Not answered yet: the bot does not know it arrived.
            self.assertIsNone(self.reminder_posts(sc)[0].completed_at)
            self.assertEqual(job_state(sc.config["database"], "reminder"), "sending")
            await sc.wait_for(lambda: job_state(sc.config["database"], "reminder") == "sent",
                              what="the reminder recorded as sent")
            self.assertEqual(self.reminder_posts(sc)[0].status, 200)
            self.assertEqual(len(self.reminder_posts(sc)), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_a_reminder_discord_refuses_for_good_is_dropped_not_repeated(self):
        async with Scenario(emulator=FAST, env={"TWEETUP_REMINDERS": "3s"}) as sc:
            await sc.emu.wait_for_ready()
            await self.create_due_soon(sc)
            sc.emu.inject_fault("POST", r"^/channels/\d+/messages$", "status", status=403,
                                code=50013, message="Missing Permissions")
            await sc.wait_for(lambda: job_state(sc.config["database"], "reminder") == "dropped",
                              what="the refused reminder dropped")
            await sc.bot.wait_for_log(re.compile(r"job \d+ dropped: the chat refused"))
            # "Starting now" still goes; the reminder is not tried again.
            await sc.emu.wait_for_bot_message(predicate=lambda m: "starting now" in m.content,
                                              timeout=10)
            await sc.wait_for(lambda: job_state(sc.config["database"], "starting") == "sent",
                              what="'starting now' recorded as sent")
            self.assertEqual(len(self.reminder_posts(sc)), 1)


class ScheduledEvents(unittest.IsolatedAsyncioTestCase):
    async def test_a_tweetup_is_mirrored_moved_and_cancelled_in_the_events_tab(self):
        config = {"discord": {"scheduled_events": True}}
        async with Scenario(emulator=FAST, config=config) as sc:
            await sc.emu.wait_for_ready()
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            events = sc.emu.scheduled_events[GUILD]
            await sc.emu.wait_for(lambda: len(events) == 1, what="the scheduled event")
            event = next(iter(events.values()))
            self.assertEqual(event["entity_type"], 3)  # EXTERNAL (R10)
            self.assertEqual(event["entity_metadata"]["location"], "Starbucks Alabaster")
            start = event["scheduled_start_time"]
            # An RSVP changes nothing there; a move does.
            await sc.emu.message_create("!join 1", author=BOB)
            await sc.emu.message_create("!tweetup move 1 tomorrow 5pm")
            await sc.emu.wait_for(lambda: event["scheduled_start_time"] != start,
                                  what="the event to move")
            patches = sc.emu.requests_to("PATCH", r"/scheduled-events/")
            self.assertEqual(len(patches), 1)
            # After a restart, the bot finds its event again instead of making another.
            self.assertEqual(await sc.stop_bot(), 0)
            await sc.start_bot()
            await sc.emu.wait_for_resumed()
            await sc.emu.message_create("!tweetup info 1")
            await sc.emu.message_create("!tweetup cancel 1")
            await sc.emu.wait_for(lambda: event["status"] == 4, what="the event to be cancelled")
            self.assertEqual(len(events), 1)
            self.assertEqual(sc.emu.violations, [])

    async def test_an_event_made_though_its_answer_was_a_502_is_not_made_twice(self):
        config = {"discord": {"scheduled_events": True}}
        async with Scenario(emulator=FAST, config=config) as sc:
            await sc.emu.wait_for_ready()
            sc.emu.inject_fault("POST", r"/scheduled-events$", "after", status=502)
            await sc.emu.message_create("!tweetup Starbucks Alabaster tomorrow 3pm")
            # The bot reads the guild's events again, finds the one the 502 hid by its marker
            # and brings it up to date, rather than making a second.
            await sc.emu.wait_for(lambda: sc.emu.requests_to("PATCH", r"/scheduled-events/"),
                                  what="the event found again")
            self.assertEqual(len(sc.emu.scheduled_events[GUILD]), 1)
            self.assertEqual(len(sc.emu.requests_to("POST", r"/scheduled-events$")), 1)
            self.assertEqual(len(sc.emu.requests_to("GET", r"/scheduled-events$")), 2)
            self.assertEqual(sc.emu.violations, [])


PROBE = None  # the gateway_probe binary, from --probe


class Throttle(unittest.IsolatedAsyncioTestCase):
    async def test_250_queued_gateway_sends_never_pass_the_limit(self):
        # Time is scaled 10 to 1 on both sides: a 6 s window instead of 60 s and a 4.125 s
        # heartbeat instead of 41.25 s, so the 110-per-window budget (G13, L7) is seen at work
        # in seconds with the real ratio of heartbeats to window. (At 30 to 1 the emulator's
        # own lag while it reads a burst of 110 frames is no longer small next to the window.)
        # The emulator closes with 4008 past 120 per window.
        if PROBE is None:
            self.skipTest("no --probe binary")
        count = 250
        emu_config = dict(FAST, send_window=6.0, heartbeat_interval_ms=4125)
        async with Scenario(emulator=emu_config, start_bot=False) as sc:
            env = dict(os.environ, TWEETUP_DISCORD_TOKEN=sc.emu.config.token)
            probe = await asyncio.create_subprocess_exec(
                PROBE, sc.emu.gateway_url, str(count), "6000", env=env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL)
            try:
                def presences():
                    return sum(1 for conn in sc.emu.connections for r in conn.received
                               if r.op == 3)
                await sc.emu.wait_for(lambda: presences() == count, timeout=30.0,
                                      what=f"{count} presence updates")
                self.assertLessEqual(sc.emu.max_sends_in_window, 120)
                self.assertEqual(sc.emu.violations, [])
                self.assertEqual(len(sc.emu.connections), 1)  # never closed for flooding
            finally:
                probe.stdin.close()
                self.assertEqual(await asyncio.wait_for(probe.wait(), 10.0), 0)
            self.assertEqual(sc.emu.client_close_codes, [1000])


if __name__ == "__main__":
    if "--probe" in sys.argv:
        at = sys.argv.index("--probe")
        PROBE = sys.argv[at + 1]
        del sys.argv[at:at + 2]
    harness.main()
