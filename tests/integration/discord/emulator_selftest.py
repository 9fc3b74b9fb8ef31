#!/usr/bin/python3
"""Self-test of the Discord emulator: a raw aiohttp client (no bot) proves that the emulator
behaves as protocols.md 1a/1b document. Run: /usr/bin/python3 emulator_selftest.py"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import ssl
import sys
import tempfile
import unittest
import zlib
from typing import Any, Optional

import aiohttp

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from emulator import (  # noqa: E402
    DEFAULT_CHANNEL_ID, DEFAULT_DM_CHANNEL_ID, DEFAULT_GUILD_ID, DEFAULT_ROUTE_LIMITS,
    INTENT_GUILD_MEMBERS, INTENT_MESSAGE_CONTENT, DiscordEmulator, RouteLimit, default_guilds)

ZLIB_SUFFIX = b"\x00\x00\xff\xff"
INTENTS = 1 | 512 | 4096 | 32768  # G7 GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT
UA = "DiscordBot (https://example.org/tweetup, 0.1)"
PROPERTIES = {"os": "linux", "browser": "selftest", "device": "selftest"}
OTHER_CHANNEL_ID = "810000000000000002"


class Closed:
    def __init__(self, code: Optional[int]):
        self.code = code

    def __repr__(self) -> str:
        return f"Closed({self.code})"


class RawGateway:
    """A minimal gateway client: one inflater per connection (G16), frames kept for checks."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, compress: bool):
        self.ws = ws
        self.compress = compress
        self.inflater = zlib.decompressobj()
        self.buffer = bytearray()
        self.frame_types: list = []
        self.raw_messages: list = []  # complete compressed messages (ending in the suffix)
        self.last_seq: Optional[int] = None

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, url: str, compress: bool = True,
                      query: Optional[str] = None, owner: Optional[list] = None) -> "RawGateway":
        if query is None:
            query = "v=10&encoding=json" + ("&compress=zlib-stream" if compress else "")
        ws = await http.ws_connect(f"{url}/?{query}", autoclose=True, autoping=True)
        gw = cls(ws, compress)
        if owner is not None:
            owner.append(gw)
        return gw

    async def recv(self, timeout: float = 5.0) -> Any:
        while True:
            msg = await self.ws.receive(timeout=timeout)
            self.frame_types.append(msg.type)
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.buffer.extend(msg.data)
                if len(self.buffer) < 4 or self.buffer[-4:] != ZLIB_SUFFIX:
                    continue
                self.raw_messages.append(bytes(self.buffer))
                text = self.inflater.decompress(bytes(self.buffer)).decode("utf-8")
                self.buffer.clear()
                payload = json.loads(text)
            elif msg.type == aiohttp.WSMsgType.TEXT:
                payload = json.loads(msg.data)
            elif msg.type == aiohttp.WSMsgType.CLOSE:
                return Closed(msg.data)
            else:  # CLOSED / ERROR: no close frame
                return Closed(None)
            if payload.get("s") is not None:
                self.last_seq = payload["s"]
            return payload

    async def recv_op(self, op: int, t: Optional[str] = None, timeout: float = 5.0) -> dict:
        """Skip heartbeat ACKs and other traffic until a payload with this op (and t)."""
        while True:
            payload = await self.recv(timeout)
            if isinstance(payload, Closed):
                raise AssertionError(f"closed with {payload.code} while waiting for op {op}")
            if payload["op"] == op and (t is None or payload.get("t") == t):
                return payload

    async def recv_close(self, timeout: float = 5.0) -> Optional[int]:
        while True:
            payload = await self.recv(timeout)
            if isinstance(payload, Closed):
                return payload.code

    async def send(self, op: int, d: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def identify(self, token: str, intents: int = INTENTS, **extra: Any) -> dict:
        await self.send(2, dict({"token": token, "intents": intents, "properties": PROPERTIES},
                                **extra))
        return await self.recv_op(0, "READY")

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.ws._writer.transport.abort()  # noqa: SLF001 - test-only


class EmulatorTest(unittest.IsolatedAsyncioTestCase):
    emulator_options: dict = {}

    async def asyncSetUp(self) -> None:
        # Fast and permissive by default; the RateLimits tests set tight limits on purpose.
        options: dict = dict(heartbeat_interval_ms=200, heartbeat_grace=0, identify_spacing=0,
                             global_limit=10000, route_limits={
                                 family: RouteLimit(10000, 1.0) for family in DEFAULT_ROUTE_LIMITS})
        options.update(self.emulator_options)
        self.emu = DiscordEmulator(**options)
        await self.emu.start()
        self.http = aiohttp.ClientSession()
        self.token = self.emu.config.token
        self.gateways: list = []

    async def asyncTearDown(self) -> None:
        for gw in self.gateways:
            await gw.ws.close()
        await self.http.close()
        await self.emu.stop()

    async def gateway(self, compress: bool = True, url: Optional[str] = None,
                      query: Optional[str] = None) -> RawGateway:
        gw = await RawGateway.connect(self.http, url or self.emu.gateway_url, compress, query,
                                      self.gateways)
        hello = await gw.recv()
        self.assertEqual(hello["op"], 10)
        return gw

    async def ready(self, compress: bool = True, intents: int = INTENTS) -> RawGateway:
        gw = await self.gateway(compress)
        await gw.identify(self.token, intents)
        await gw.recv_op(0, "GUILD_CREATE")
        return gw

    async def api(self, method: str, route: str, body: Any = None, *,
                  headers: Optional[dict] = None, auth: Optional[str] = "default",
                  raw: Optional[bytes] = None, content_type: str = "application/json"):
        h = {"User-Agent": UA}
        if auth == "default":
            h["Authorization"] = f"Bot {self.token}"
        elif auth is not None:
            h["Authorization"] = auth
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        async with self.http.request(method, f"{self.emu.api_base}{route}", data=data,
                                     headers=h) as response:
            text = await response.text()
            parsed = json.loads(text) if text and response.content_type == "application/json" \
                else text
            return response.status, parsed, response.headers


class GatewayTransport(EmulatorTest):
    async def test_zlib_stream_sends_binary_sync_flushed_frames_sharing_one_inflater(self):
        gw = await self.gateway(compress=True)
        self.assertEqual(gw.frame_types, [aiohttp.WSMsgType.BINARY])
        await gw.identify(self.token)
        guild = await gw.recv_op(0, "GUILD_CREATE")
        self.assertEqual(guild["d"]["id"], DEFAULT_GUILD_ID)
        self.assertTrue(all(t == aiohttp.WSMsgType.BINARY for t in gw.frame_types))
        self.assertTrue(all(m.endswith(ZLIB_SUFFIX) for m in gw.raw_messages))
        # Only the first message carries the zlib header: later ones need the shared context.
        self.assertEqual(zlib.decompressobj().decompress(gw.raw_messages[0])[:6], b'{"op":')
        with self.assertRaises(zlib.error):
            zlib.decompressobj().decompress(gw.raw_messages[1])
        # A new connection starts a new deflate stream, so it needs a new inflater.
        second = await self.gateway(compress=True)
        self.assertEqual(len(second.raw_messages), 1)
        self.assertNotEqual(self.emu.connections[0].deflater, self.emu.connections[1].deflater)

    async def test_zlib_stream_can_split_a_payload_over_several_frames(self):
        self.emu.config.zlib_chunk_size = 3
        gw = await self.gateway(compress=True)
        self.assertGreater(len(gw.frame_types), 1)
        self.assertFalse(gw.raw_messages[0][:3].endswith(ZLIB_SUFFIX))
        await gw.identify(self.token)
        self.assertEqual(self.emu.identifies[-1].outcome, "ready")

    async def test_without_compress_every_payload_is_a_text_frame(self):
        gw = await self.gateway(compress=False)
        await gw.identify(self.token)
        self.assertTrue(all(t == aiohttp.WSMsgType.TEXT for t in gw.frame_types))
        self.assertFalse(self.emu.connections[0].compress)

    async def test_wrong_api_version_closes_with_4012(self):
        gw = await RawGateway.connect(self.http, self.emu.gateway_url, False,
                                      "v=9&encoding=json", self.gateways)
        self.assertEqual(await gw.recv_close(), 4012)
        self.assertTrue(self.emu.violations_of("gateway_query"))

    async def test_unsupported_encoding_closes_the_connection(self):
        gw = await RawGateway.connect(self.http, self.emu.gateway_url, False, "v=10",
                                      owner=self.gateways)
        self.assertIn(await gw.recv_close(), (4000, 4002))

    async def test_gateway_and_resume_paths_are_told_apart_with_a_trailing_slash(self):
        await self.gateway(url=self.emu.gateway_url)
        await self.gateway(url=self.emu.resume_url)
        self.assertEqual([c.path for c in self.emu.connections], ["/gateway", "/resume"])

    async def test_payload_over_4096_bytes_closes_with_4002(self):
        gw = await self.ready()
        await gw.send(3, {"since": None, "activities": [], "status": "online", "afk": False,
                          "pad": "x" * 4100})
        self.assertEqual(await gw.recv_close(), 4002)
        self.assertEqual(self.emu.violations_of("gateway_payload_too_large")[0].connection, 1)

    async def test_120_sends_pass_and_the_121st_in_the_window_closes_with_4008(self):
        gw = await self.gateway(compress=False)
        for _ in range(120):
            await gw.send(1, None)
        for _ in range(120):
            await gw.recv_op(11)
        self.assertEqual(self.emu.max_sends_in_window, 120)
        self.assertFalse(self.emu.violations_of("gateway_rate_limit"))
        await gw.send(1, None)
        self.assertEqual(await gw.recv_close(), 4008)
        self.assertEqual(self.emu.connections[0].max_sends_in_window, 121)
        self.assertTrue(self.emu.violations_of("gateway_rate_limit"))


class Heartbeats(EmulatorTest):
    async def test_hello_carries_the_interval_and_each_heartbeat_is_acked_and_recorded(self):
        gw = await RawGateway.connect(self.http, self.emu.gateway_url, True,
                                      owner=self.gateways)
        hello = await gw.recv()
        self.assertEqual(hello, {"op": 10, "d": {"heartbeat_interval": 200}, "s": None,
                                 "t": None})
        await gw.send(1, None)
        self.assertEqual((await gw.recv())["op"], 11)
        await gw.identify(self.token)
        await gw.recv_op(0, "GUILD_CREATE")
        await gw.send(1, gw.last_seq)
        await gw.recv_op(11)
        first, second = self.emu.heartbeats
        self.assertIsNone(first.d)
        self.assertGreaterEqual(first.since_hello, 0)
        self.assertEqual(second.d, 2)
        self.assertEqual(second.last_seq_sent, 2)
        self.assertEqual(second.session_seq, 2)

    async def test_acks_can_be_switched_off_for_the_zombie_scenario(self):
        gw = await self.ready()
        self.emu.set_heartbeat_ack(False)
        await gw.send(1, gw.last_seq)
        await self.emu.wait_for(lambda: len(self.emu.heartbeats) == 1)
        await self.emu.request_heartbeat()
        # Payloads go out in order, so the op 1 arriving first proves no ACK was sent.
        self.assertEqual((await gw.recv())["op"], 1)
        await gw.send(1, gw.last_seq)
        await self.emu.wait_for(lambda: len(self.emu.heartbeats) == 2)
        self.assertTrue(self.emu.heartbeats[1].answered_request)
        self.emu.set_heartbeat_ack(True)
        await gw.send(1, gw.last_seq)
        self.assertEqual((await gw.recv())["op"], 11)

    async def test_a_connection_that_stops_heartbeating_is_closed_resumably(self):
        self.emu.config.heartbeat_grace = 0.05
        gw = await RawGateway.connect(self.http, self.emu.gateway_url, True,
                                      owner=self.gateways)
        self.assertEqual(await gw.recv_close(), 4000)
        self.assertTrue(self.emu.violations_of("heartbeat_late"))


class Identify(EmulatorTest):
    async def test_ready_then_guild_create_with_sequence_from_one(self):
        gw = await self.gateway()
        ready = await gw.identify(self.token, INTENTS, shard=[0, 1])
        self.assertEqual(ready["s"], 1)
        d = ready["d"]
        self.assertEqual(d["resume_gateway_url"], self.emu.resume_url)
        self.assertEqual(d["user"]["id"], self.emu.config.bot_user_id)
        self.assertTrue(d["user"]["bot"])
        self.assertEqual(d["application"]["id"], self.emu.config.application_id)
        self.assertEqual(d["guilds"], [{"id": DEFAULT_GUILD_ID, "unavailable": True}])
        self.assertEqual(d["shard"], [0, 1])
        guild = await gw.recv_op(0, "GUILD_CREATE")
        self.assertEqual(guild["s"], 2)
        self.assertIn(DEFAULT_CHANNEL_ID, [c["id"] for c in guild["d"]["channels"]])
        self.assertEqual(self.emu.identifies[0].outcome, "ready")

    async def test_token_with_bot_prefix_closes_with_4004(self):
        gw = await self.gateway()
        await gw.send(2, {"token": f"Bot {self.token}", "intents": INTENTS,
                          "properties": PROPERTIES})
        self.assertEqual(await gw.recv_close(), 4004)

    async def test_wrong_token_closes_with_4004(self):
        gw = await self.gateway()
        await gw.send(2, {"token": "nope", "intents": INTENTS, "properties": PROPERTIES})
        self.assertEqual(await gw.recv_close(), 4004)
        self.assertEqual(self.emu.identifies[0].outcome, "closed 4004")

    async def test_disallowed_privileged_intent_closes_with_4014(self):
        gw = await self.gateway()
        await gw.send(2, {"token": self.token, "intents": INTENTS | INTENT_GUILD_MEMBERS,
                          "properties": PROPERTIES})
        self.assertEqual(await gw.recv_close(), 4014)

    async def test_message_content_can_be_configured_as_disallowed(self):
        self.emu.config.disallowed_intents = INTENT_MESSAGE_CONTENT
        gw = await self.gateway()
        await gw.send(2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES})
        self.assertEqual(await gw.recv_close(), 4014)

    async def test_undefined_intent_bits_or_a_non_integer_close_with_4013(self):
        for intents in (1 << 17, "513"):
            gw = await self.gateway()
            await gw.send(2, {"token": self.token, "intents": intents, "properties": PROPERTIES})
            self.assertEqual(await gw.recv_close(), 4013, intents)

    async def test_missing_connection_properties_close_with_4002(self):
        gw = await self.gateway()
        await gw.send(2, {"token": self.token, "intents": INTENTS,
                          "properties": {"$os": "linux", "$browser": "x", "$device": "x"}})
        self.assertEqual(await gw.recv_close(), 4002)

    async def test_second_identify_on_one_connection_closes_with_4005(self):
        gw = await self.ready()
        await gw.send(2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES})
        self.assertEqual(await gw.recv_close(), 4005)

    async def test_anything_but_heartbeat_identify_resume_before_identify_closes_with_4003(self):
        gw = await self.gateway()
        await gw.send(3, {"since": None, "activities": [], "status": "online", "afk": False})
        self.assertEqual(await gw.recv_close(), 4003)

    async def test_unknown_opcode_after_identify_closes_with_4001(self):
        gw = await self.ready()
        await gw.send(42, {})
        self.assertEqual(await gw.recv_close(), 4001)

    async def test_identify_within_the_concurrency_window_gets_op9_false(self):
        self.emu.config.identify_spacing = 30.0
        await self.ready()
        second = await self.gateway()
        await second.send(2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES})
        invalid = await second.recv_op(9)
        self.assertIs(invalid["d"], False)
        self.assertEqual([i.outcome for i in self.emu.identifies], ["ready", "invalid_session"])
        self.assertTrue(self.emu.violations_of("identify_too_fast"))

    async def test_session_starts_count_down_and_one_past_the_limit_closes_with_4004(self):
        self.emu.config.session_start_total = 2
        self.emu.session_start_remaining = 2  # as an emulator made with that total starts
        self.emu.config.identify_spacing = 0.0
        _, body, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(body["session_start_limit"]["remaining"], 2)
        await self.ready()
        _, body, _ = await self.api("GET", "/gateway/bot")
        limit = body["session_start_limit"]
        self.assertEqual((limit["total"], limit["remaining"]), (2, 1))
        self.assertLessEqual(limit["reset_after"], 86400 * 1000)
        await self.ready()
        third = await self.gateway()
        await third.send(2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES})
        self.assertEqual(await third.recv_close(), 4004)
        self.assertTrue(self.emu.violations_of("session_start_limit"))

    async def test_used_up_session_starts_come_back_after_the_reset(self):
        self.emu.use_up_session_starts(resets_in=60.0)
        _, body, _ = await self.api("GET", "/gateway/bot")
        limit = body["session_start_limit"]
        self.assertEqual(limit["remaining"], 0)
        self.assertTrue(59000 <= limit["reset_after"] <= 60000, limit)
        self.emu.session_start_resets_at = self.emu.now()  # the window is over
        _, body, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(body["session_start_limit"]["remaining"], 1000)
        await self.ready()
        self.assertEqual(self.emu.violations_of("session_start_limit"), [])

    async def test_without_message_content_intent_guild_content_arrives_empty(self):
        gw = await self.ready(intents=1 | 512)
        await self.emu.message_create("!tweetup Cafe 3pm")
        plain = await gw.recv_op(0, "MESSAGE_CREATE")
        self.assertEqual(plain["d"]["content"], "")
        bot = self.emu.config.bot_user_id
        await self.emu.message_create(f"<@{bot}> tweetup Cafe 3pm")
        mention = await gw.recv_op(0, "MESSAGE_CREATE")
        self.assertEqual(mention["d"]["content"], f"<@{bot}> tweetup Cafe 3pm")

    async def test_events_outside_the_intents_are_not_delivered(self):
        await self.ready(intents=1)
        seq = await self.emu.dispatch("MESSAGE_CREATE", {"guild_id": DEFAULT_GUILD_ID,
                                                         "channel_id": DEFAULT_CHANNEL_ID,
                                                         "content": "x", "author": {"id": "1"}})
        self.assertIsNone(seq)
        self.assertTrue(self.emu.undelivered[-1]["filtered"])


# A guild on shard 0 of 2 beside the default one, which is on shard 1: (id >> 22) % 2 (G15).
SHARD0_GUILD_ID = str(int(DEFAULT_GUILD_ID) + (1 << 22))
SHARD0_CHANNEL_ID = "810000000000000009"


class Sharding(EmulatorTest):
    emulator_options = {"shards": 2, "guilds": default_guilds() + [{
        "id": SHARD0_GUILD_ID, "name": "Second Guild",
        "channels": [{"id": SHARD0_CHANNEL_ID, "name": "general", "type": 0}]}]}

    async def shard(self, shard_id: int, count: int = 2) -> RawGateway:
        gw = await self.gateway()
        ready = await gw.identify(self.token, INTENTS, shard=[shard_id, count])
        self.assertEqual(ready["d"]["shard"], [shard_id, count])
        return gw

    async def test_gateway_bot_recommends_the_configured_shards_and_concurrency(self):
        self.emu.config.max_concurrency = 16
        _, body, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(body["shards"], 2)
        self.assertEqual(body["session_start_limit"]["max_concurrency"], 16)

    async def test_each_guild_goes_to_its_shard_and_dms_to_shard_0(self):
        self.assertEqual(DiscordEmulator.shard_of(DEFAULT_GUILD_ID, 2), 1)
        self.assertEqual(DiscordEmulator.shard_of(SHARD0_GUILD_ID, 2), 0)
        zero = await self.shard(0)
        guild = await zero.recv_op(0, "GUILD_CREATE")
        self.assertEqual(guild["d"]["id"], SHARD0_GUILD_ID)
        one = await self.shard(1)
        guild = await one.recv_op(0, "GUILD_CREATE")
        self.assertEqual(guild["d"]["id"], DEFAULT_GUILD_ID)
        await self.emu.message_create("in the default guild", channel_id=DEFAULT_CHANNEL_ID)
        await self.emu.message_create("in the second guild", channel_id=SHARD0_CHANNEL_ID)
        await self.emu.message_create("a DM", channel_id=DEFAULT_DM_CHANNEL_ID)
        self.assertEqual((await one.recv_op(0, "MESSAGE_CREATE"))["d"]["content"],
                         "in the default guild")
        self.assertEqual((await zero.recv_op(0, "MESSAGE_CREATE"))["d"]["content"],
                         "in the second guild")
        self.assertEqual((await zero.recv_op(0, "MESSAGE_CREATE"))["d"]["content"], "a DM")
        self.assertEqual(sorted(self.emu.shard_sessions), [0, 1])

    async def test_identifies_are_spaced_per_bucket_of_max_concurrency(self):
        self.emu.config.identify_spacing = 30.0
        self.emu.config.max_concurrency = 2
        await self.shard(0, 3)
        await self.shard(1, 3)  # bucket 1: at once is fine
        third = await self.gateway()
        await third.send(2, {"token": self.token, "intents": INTENTS, "properties": PROPERTIES,
                             "shard": [2, 3]})  # bucket 0 again, within the spacing
        self.assertIs((await third.recv_op(9))["d"], False)
        self.assertEqual(len(self.emu.violations_of("identify_too_fast")), 1)

    async def test_a_new_identify_of_a_shard_replaces_only_that_shard_s_session(self):
        await self.shard(0)
        await self.shard(1)
        first_one = self.emu.shard_sessions[1]
        await self.shard(1)
        self.assertFalse(first_one.resumable)
        self.assertEqual(sorted(self.emu.shard_sessions), [0, 1])
        self.assertTrue(self.emu.shard_sessions[0].resumable)

    async def test_too_few_shards_close_with_4011_without_a_violation(self):
        self.emu.config.required_shards = 2
        unsharded = await self.gateway()
        await unsharded.send(2, {"token": self.token, "intents": INTENTS,
                                 "properties": PROPERTIES})
        self.assertEqual(await unsharded.recv_close(), 4011)
        self.assertEqual(self.emu.identifies[-1].outcome, "closed 4011")
        await self.shard(0)
        self.assertEqual(self.emu.violations, [])


class Resume(EmulatorTest):
    async def test_events_dispatched_while_disconnected_are_replayed_then_resumed(self):
        gw = await self.ready()
        ready_url = self.emu.resume_url
        await self.emu.message_create("before the drop")
        before = await gw.recv_op(0, "MESSAGE_CREATE")
        self.assertEqual(before["s"], 3)
        session_id = self.emu.current_session.id
        gw.abort()
        await self.emu.wait_for(lambda: self.emu.connections[0].closed)
        self.assertEqual(self.emu.connections[0].ended_by, "dropped")
        self.assertTrue(self.emu.current_session.resumable)
        await self.emu.message_create("missed one")
        await self.emu.message_create("missed two")
        again = await self.gateway(url=ready_url)
        await again.send(6, {"token": self.token, "session_id": session_id, "seq": 3})
        replay = [await again.recv_op(0) for _ in range(3)]
        self.assertEqual([(p["s"], p["t"]) for p in replay],
                         [(4, "MESSAGE_CREATE"), (5, "MESSAGE_CREATE"), (6, "RESUMED")])
        self.assertEqual([p["d"].get("content") for p in replay[:2]],
                         ["missed one", "missed two"])
        record = self.emu.resumes[0]
        self.assertEqual((record.outcome, record.path, record.replayed), ("resumed", "/resume", 2))
        await self.emu.message_create("after")
        self.assertEqual((await again.recv_op(0, "MESSAGE_CREATE"))["s"], 7)

    async def test_a_session_closed_with_1000_cannot_be_resumed(self):
        gw = await self.ready()
        session_id = self.emu.current_session.id
        await gw.ws.close(code=1000)
        await self.emu.wait_for(lambda: self.emu.connections[0].closed)
        self.assertEqual(self.emu.client_close_codes, [1000])
        self.assertFalse(self.emu.sessions[session_id].resumable)
        again = await self.gateway(url=self.emu.resume_url)
        await again.send(6, {"token": self.token, "session_id": session_id, "seq": 2})
        self.assertIs((await again.recv_op(9))["d"], False)
        self.assertEqual(self.emu.resumes[0].outcome, "invalid_session")

    async def test_a_session_closed_with_4000_stays_resumable(self):
        gw = await self.ready()
        session_id = self.emu.current_session.id
        await gw.ws.close(code=4000)
        await self.emu.wait_for(lambda: self.emu.connections[0].closed)
        self.assertEqual(self.emu.client_close_codes, [4000])
        again = await self.gateway(url=self.emu.resume_url)
        await again.send(6, {"token": self.token, "session_id": session_id, "seq": 2})
        self.assertEqual((await again.recv_op(0))["t"], "RESUMED")

    async def test_unknown_session_gets_op9_false(self):
        gw = await self.gateway(url=self.emu.resume_url)
        await gw.send(6, {"token": self.token, "session_id": "nope", "seq": 1})
        self.assertIs((await gw.recv_op(9))["d"], False)

    async def test_resume_with_a_seq_ahead_of_the_session_closes_with_4007(self):
        gw = await self.ready()
        session_id = self.emu.current_session.id
        await gw.ws.close(code=4000)
        again = await self.gateway(url=self.emu.resume_url)
        await again.send(6, {"token": self.token, "session_id": session_id, "seq": 99})
        self.assertEqual(await again.recv_close(), 4007)

    async def test_op9_false_from_the_server_invalidates_the_session(self):
        gw = await self.ready()
        session_id = self.emu.current_session.id
        await self.emu.send_invalid_session(False)
        self.assertIs((await gw.recv_op(9))["d"], False)
        self.assertIsNone(self.emu.current_session)
        again = await self.gateway(url=self.emu.resume_url)
        await again.send(6, {"token": self.token, "session_id": session_id, "seq": 2})
        self.assertIs((await again.recv_op(9))["d"], False)

    async def test_server_controls_reach_the_client(self):
        gw = await self.ready()
        await self.emu.send_reconnect()
        self.assertEqual((await gw.recv_op(7))["d"], None)
        await self.emu.send_invalid_session(True)
        self.assertIs((await gw.recv_op(9))["d"], True)
        self.assertTrue(self.emu.sessions[self.emu.connections[0].session.id].resumable)
        await self.emu.request_heartbeat()
        self.assertEqual((await gw.recv_op(1))["d"], None)
        await self.emu.close_connection(4009)
        self.assertEqual(await gw.recv_close(), 4009)
        self.assertEqual(self.emu.connections[0].server_close_code, 4009)
        self.assertEqual(self.emu.client_close_codes, [])

    async def test_drop_connection_ends_tcp_without_a_close_frame(self):
        gw = await self.ready()
        await self.emu.drop_connection()
        self.assertIsNone(await gw.recv_close())
        self.assertTrue(self.emu.current_session.resumable)


class RestBasics(EmulatorTest):
    async def test_gateway_bot_needs_bot_auth_and_names_the_gateway_url(self):
        status, body, _ = await self.api("GET", "/gateway/bot", auth=None)
        self.assertEqual((status, body), (401, {"message": "401: Unauthorized", "code": 0}))
        status, body, _ = await self.api("GET", "/gateway/bot", auth=self.token)
        self.assertEqual(status, 401)
        self.assertEqual(len(self.emu.violations_of("authorization")), 2)
        status, body, headers = await self.api("GET", "/gateway/bot")
        self.assertEqual(status, 200)
        self.assertEqual(body["url"], f"ws://127.0.0.1:{self.emu.port}/gateway")
        self.assertEqual(body["shards"], 1)
        self.assertEqual(body["session_start_limit"]["max_concurrency"], 1)
        self.assertIn("X-RateLimit-Bucket", headers)
        self.assertTrue(self.emu.violations_of("request_after_401"))

    async def test_a_user_agent_that_is_not_discordbot_is_recorded(self):
        status, _, _ = await self.api("GET", "/users/@me", headers={"User-Agent": "curl/8"})
        self.assertEqual(status, 200)
        self.assertTrue(self.emu.violations_of("user_agent"))
        await self.api("GET", "/users/@me")
        self.assertEqual(len(self.emu.violations_of("user_agent")), 1)

    async def test_a_body_without_json_content_type_is_rejected_with_50035(self):
        status, body, _ = await self.api("POST", f"/channels/{DEFAULT_CHANNEL_ID}/messages",
                                         raw=b'{"content":"hi"}', content_type="text/plain")
        self.assertEqual((status, body["code"]), (400, 50035))
        self.assertTrue(self.emu.violations_of("content_type"))
        self.assertEqual(self.emu.bot_messages(), [])

    async def test_requests_are_recorded_with_headers_body_and_time(self):
        await self.api("POST", f"/channels/{DEFAULT_CHANNEL_ID}/messages", {"content": "hi"},
                       headers={"X-Audit-Log-Reason": "why"})
        request = self.emu.requests[-1]
        self.assertEqual((request.method, request.route, request.status),
                         ("POST", f"/channels/{DEFAULT_CHANNEL_ID}/messages", 200))
        self.assertEqual(request.body, {"content": "hi"})
        self.assertEqual(request.headers["x-audit-log-reason"], "why")
        self.assertLessEqual(request.time, request.completed_at)

    async def test_unversioned_and_unknown_routes_are_404s(self):
        async with self.http.get(f"{self.emu.base_url}/api/channels/1/messages") as response:
            self.assertEqual(response.status, 404)
        self.assertTrue(self.emu.violations_of("api_version"))
        status, _, _ = await self.api("GET", "/nothing/here")
        self.assertEqual(status, 404)


class Messages(EmulatorTest):
    route = f"/channels/{DEFAULT_CHANNEL_ID}/messages"

    async def post_invalid(self, body: Any) -> dict:
        status, response, _ = await self.api("POST", self.route, body)
        self.assertEqual(status, 400, body)
        return response

    async def test_create_returns_a_message_from_the_bot_with_string_ids(self):
        status, message, _ = await self.api("POST", self.route, {
            "content": "Tweetup at Cafe", "allowed_mentions": {"parse": []}})
        self.assertEqual(status, 200)
        self.assertIsInstance(message["id"], str)
        self.assertEqual(message["channel_id"], DEFAULT_CHANNEL_ID)
        self.assertEqual(message["author"]["id"], self.emu.config.bot_user_id)
        self.assertTrue(message["author"]["bot"])
        status, fetched, _ = await self.api("GET", f"{self.route}/{message['id']}")
        self.assertEqual((status, fetched["content"]), (200, "Tweetup at Cafe"))
        self.assertEqual([m.content for m in self.emu.bot_messages(DEFAULT_CHANNEL_ID)],
                         ["Tweetup at Cafe"])

    async def test_reply_references_an_existing_message(self):
        user_message = await self.emu.message_create("!tweetup list")
        status, reply, _ = await self.api("POST", self.route, {
            "content": "none", "message_reference": {"message_id": user_message["id"]},
            "allowed_mentions": {"parse": [], "replied_user": True}})
        self.assertEqual(status, 200)
        self.assertEqual(reply["message_reference"]["message_id"], user_message["id"])
        self.assertEqual(self.emu.bot_messages()[0].pings["replied_user"],
                         user_message["author"]["id"])
        response = await self.post_invalid({"content": "x", "message_reference": {
            "message_id": "123"}})
        self.assertIn("message_reference", response["errors"])

    async def test_invalid_bodies_get_400_with_the_failing_field(self):
        cases = [
            ({"content": "x" * 2001}, "content"),
            ({"content": "x", "nonce": "n" * 26}, "nonce"),
            ({"embeds": [{"title": "t"}] * 11}, "embeds"),
            ({"embeds": [{"title": "t" * 257}]}, "embeds"),
            ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "embeds"),
            ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, "embeds"),
            ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "embeds"),
            ({"embeds": [{"footer": {"text": "f" * 2049}}]}, "embeds"),
            ({"content": "x", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "b", "custom_id": f"c{i}"} for i in range(6)]}]},
             "components"),
            ({"content": "x", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "b", "custom_id": "same"},
                {"type": 2, "style": 2, "label": "b", "custom_id": "same"}]}]}, "components"),
            ({"content": "x", "components": [{"type": 1, "components": [
                {"type": 2, "style": 5, "label": "b", "custom_id": "c", "url": "https://x"}]}]},
             "components"),
            ({"content": "x", "components": [{"type": 1, "components": [
                {"type": 2, "style": 3, "label": "l" * 81, "custom_id": "c"}]}]}, "components"),
            ({"content": "x", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "b", "custom_id": "c"}]}] * 6}, "components"),
            ({"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
             "allowed_mentions"),
            ({"content": "x", "allowed_mentions": {"parse": ["nobody"]}}, "allowed_mentions"),
            ({"content": "x", "flags": 64}, "flags"),
        ]
        for body, field in cases:
            response = await self.post_invalid(body)
            self.assertEqual(response["code"], 50035, body)
            self.assertIn(field, response["errors"], body)
        response = await self.post_invalid({"content": ""})
        self.assertEqual(response["code"], 50006)
        self.assertEqual(self.emu.bot_messages(), [])
        self.assertEqual(len(self.emu.violations_of("invalid_body", "empty_message")),
                         len(cases) + 1)

    async def test_a_full_valid_message_with_embed_and_buttons_is_accepted(self):
        body = {"content": "x" * 2000,
                "embeds": [{"title": "t" * 256, "description": "d" * 4096,
                            "fields": [{"name": "n", "value": "v" * 1024}],
                            "footer": {"text": "f" * 10}, "color": 0x5865F2}],
                "components": [{"type": 1, "components": [
                    {"type": 2, "style": s, "label": "b", "custom_id": f"rsvp:{s}"}
                    for s in (1, 2, 3, 4)] + [{"type": 2, "style": 5, "label": "map",
                                               "url": "https://example.org"}]}] * 1,
                "allowed_mentions": {"parse": [], "users": ["700000000000000001"]}}
        status, message, _ = await self.api("POST", self.route, body)
        self.assertEqual(status, 200, message)

    async def test_allowed_mentions_decide_who_is_pinged(self):
        text = "Tweetup at @everyone's favourite cafe with <@700000000000000001> <@&42>"
        await self.api("POST", self.route, {"content": text})
        await self.api("POST", self.route, {"content": text, "allowed_mentions": {"parse": []}})
        await self.api("POST", self.route, {"content": text, "allowed_mentions": {
            "parse": [], "users": ["700000000000000001"]}})
        default, nobody, organiser = [m.pings for m in self.emu.bot_messages()]
        self.assertTrue(default["everyone"])  # R5: the default parses everything
        self.assertEqual((default["users"], default["roles"]), (["700000000000000001"], ["42"]))
        self.assertEqual((nobody["everyone"], nobody["users"], nobody["roles"]), (False, [], []))
        self.assertEqual((organiser["everyone"], organiser["users"]),
                         (False, ["700000000000000001"]))

    async def test_enforce_nonce_returns_the_same_message_instead_of_a_duplicate(self):
        body = {"content": "once", "nonce": "tw-1", "enforce_nonce": True}
        _, first, _ = await self.api("POST", self.route, body)
        status, second, _ = await self.api("POST", self.route, body)
        self.assertEqual(status, 200)
        self.assertEqual(first["id"], second["id"])
        _, other_channel, _ = await self.api("POST", f"/channels/{OTHER_CHANNEL_ID}/messages",
                                             body)
        self.assertNotEqual(other_channel["id"], first["id"])
        self.assertEqual(len(self.emu.bot_messages(DEFAULT_CHANNEL_ID)), 1)
        await self.api("POST", self.route, {"content": "once", "nonce": "tw-1"})
        self.assertEqual(len(self.emu.bot_messages(DEFAULT_CHANNEL_ID)), 2)

    async def test_a_502_after_create_then_a_retry_with_the_nonce_posts_once(self):
        fault = self.emu.inject_fault("POST", r"^/channels/\d+/messages$", "after", status=502)
        body = {"content": "announce", "nonce": "tw-2", "enforce_nonce": True}
        status, _, _ = await self.api("POST", self.route, body)
        self.assertEqual(status, 502)
        self.assertEqual(len(self.emu.bot_messages(DEFAULT_CHANNEL_ID)), 1)
        status, retried, _ = await self.api("POST", self.route, body)
        self.assertEqual(status, 200)
        self.assertEqual(retried["id"], self.emu.bot_messages()[0].id)
        self.assertEqual(len(self.emu.bot_messages(DEFAULT_CHANNEL_ID)), 1)
        self.assertEqual(fault.hits, [0])

    async def test_a_5xx_before_create_creates_nothing(self):
        for status in (500, 502, 503):
            self.emu.inject_fault("POST", "messages", "status", status=status)
            got, _, _ = await self.api("POST", self.route, {"content": "x"})
            self.assertEqual(got, status)
        self.assertEqual(self.emu.bot_messages(), [])

    async def test_edit_and_delete_own_message(self):
        _, message, _ = await self.api("POST", self.route, {"content": "v1"})
        status, edited, _ = await self.api("PATCH", f"{self.route}/{message['id']}",
                                           {"content": "v2"})
        self.assertEqual((status, edited["content"]), (200, "v2"))
        self.assertIsNotNone(edited["edited_timestamp"])
        self.assertEqual(self.emu.bot_messages()[0].edits[0]["content"], "v1")
        status, _, _ = await self.api("DELETE", f"{self.route}/{message['id']}")
        self.assertEqual(status, 204)
        status, body, _ = await self.api("GET", f"{self.route}/{message['id']}")
        self.assertEqual((status, body["code"]), (404, 10008))
        user = await self.emu.message_create("mine")
        status, body, _ = await self.api("PATCH", f"{self.route}/{user['id']}", {"content": "x"})
        self.assertEqual((status, body["code"]), (403, 50005))

    async def test_unknown_channel_is_404_10003(self):
        status, body, _ = await self.api("POST", "/channels/1/messages", {"content": "x"})
        self.assertEqual((status, body["code"]), (404, 10003))

    async def test_own_messages_come_back_over_the_gateway(self):
        gw = await self.ready()
        await self.api("POST", self.route, {"content": "echo"})
        echo = await gw.recv_op(0, "MESSAGE_CREATE")
        self.assertEqual(echo["d"]["author"]["id"], self.emu.config.bot_user_id)


class RateLimits(EmulatorTest):
    emulator_options = {"route_limits": dict(DEFAULT_ROUTE_LIMITS, **{
        "messages.create": RouteLimit(2, 0.75), "webhook": RouteLimit(5, 0.5),
        "users.me": RouteLimit(100, 1.0)}), "global_limit": 6, "global_window": 30.0}
    route = f"/channels/{DEFAULT_CHANNEL_ID}/messages"

    async def test_headers_have_a_fractional_reset_after_per_bucket_and_major_parameter(self):
        _, _, first = await self.api("POST", self.route, {"content": "1"})
        self.assertEqual(first["X-RateLimit-Limit"], "2")
        self.assertEqual(first["X-RateLimit-Remaining"], "1")
        self.assertRegex(first["X-RateLimit-Reset-After"], r"^\d+\.\d{3}$")
        self.assertLessEqual(float(first["X-RateLimit-Reset-After"]), 0.75)
        self.assertRegex(first["X-RateLimit-Reset"], r"^\d{10}\.\d{3}$")
        _, _, other = await self.api("POST", f"/channels/{OTHER_CHANNEL_ID}/messages",
                                     {"content": "1"})
        self.assertEqual(other["X-RateLimit-Remaining"], "1")  # another major parameter
        self.assertEqual(other["X-RateLimit-Bucket"], first["X-RateLimit-Bucket"])
        _, _, edit = await self.api("GET", f"{self.route}/{self.emu.bot_messages()[0].id}")
        self.assertNotEqual(edit["X-RateLimit-Bucket"], first["X-RateLimit-Bucket"])

    async def test_exceeding_a_route_bucket_gets_a_user_scope_429(self):
        for _ in range(2):
            await self.api("POST", self.route, {"content": "x"})
        status, body, headers = await self.api("POST", self.route, {"content": "x"})
        self.assertEqual(status, 429)
        self.assertEqual(body["message"], "You are being rate limited.")
        self.assertIs(body["global"], False)
        self.assertIsInstance(body["retry_after"], float)
        self.assertEqual(headers["X-RateLimit-Scope"], "user")
        self.assertEqual(headers["X-RateLimit-Remaining"], "0")
        self.assertEqual(headers["Via"], "1.1 google")
        self.assertGreaterEqual(int(headers["Retry-After"]), 1)
        self.assertNotIn("X-RateLimit-Global", headers)
        self.assertEqual(len(self.emu.violations_of("route_rate_limit")), 1)
        self.assertEqual(len(self.emu.bot_messages()), 2)
        self.assertEqual(self.emu.invalid_requests, 1)

    async def test_exceeding_the_global_limit_gets_a_global_429_and_pauses_everything(self):
        for _ in range(6):
            status, _, _ = await self.api("GET", "/users/@me")
            self.assertEqual(status, 200)
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual(status, 429)
        self.assertIs(body["global"], True)
        self.assertEqual(headers["X-RateLimit-Global"], "true")
        self.assertEqual(headers["X-RateLimit-Scope"], "global")
        status, _, _ = await self.api("GET", "/gateway/bot")
        self.assertEqual(status, 429)
        self.assertEqual(len(self.emu.violations_of("global_rate_limit")), 2)
        # Interaction endpoints are not bound to the global limit (R8, R11).
        interaction = await self.emu.slash_command("list")
        status, _, _ = await self.api("POST", f"/interactions/{interaction.id}/"
                                      f"{interaction.token}/callback", {"type": 5})
        self.assertEqual(status, 204)

    async def test_injected_429s_have_discords_shapes_and_block_the_bucket(self):
        self.emu.inject_fault("POST", "messages", "429", retry_after=0.437)
        status, body, headers = await self.api("POST", self.route, {"content": "x"})
        self.assertEqual((status, body["retry_after"], body["global"]), (429, 0.437, False))
        self.assertEqual(headers["X-RateLimit-Reset-After"], "0.437")
        self.assertEqual(headers["X-RateLimit-Scope"], "user")
        status, _, _ = await self.api("POST", self.route, {"content": "too early"})
        self.assertEqual(status, 429)
        self.assertEqual(len(self.emu.violations_of("route_rate_limit")), 1)

    async def test_injected_global_and_shared_429s(self):
        self.emu.inject_fault("GET", "users", "429", scope="shared", retry_after=0.01)
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual((status, headers["X-RateLimit-Scope"]), (429, "shared"))
        self.assertEqual(body["message"], "The resource is being rate limited.")
        self.assertEqual(self.emu.invalid_requests, 0)  # shared 429s do not count (R11)
        self.emu.inject_fault("GET", "gateway", "429", scope="global", retry_after=5.0)
        status, body, headers = await self.api("GET", "/gateway/bot")
        self.assertEqual((status, body["global"], headers["X-RateLimit-Global"]),
                         (429, True, "true"))
        self.assertEqual(headers["Via"], "1.1 google")
        status, _, _ = await self.api("GET", "/applications/@me")
        self.assertEqual(status, 429)
        self.assertEqual(len(self.emu.violations_of("global_rate_limit")), 1)

    async def test_a_cloudflare_429_has_no_via_header_and_no_json(self):
        self.emu.inject_fault("*", "users", "cloudflare_429", retry_after=3)
        status, body, headers = await self.api("GET", "/users/@me")
        self.assertEqual(status, 429)
        self.assertNotIn("Via", headers)
        self.assertIn("1015", body)

    async def test_delay_and_401_faults(self):
        self.emu.inject_fault("GET", "users", "delay", seconds=0.05)
        self.emu.inject_fault("GET", "users", "status", status=401)
        started = self.emu.now()
        status, _, _ = await self.api("GET", "/users/@me")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(self.emu.now() - started, 0.05)
        status, body, _ = await self.api("GET", "/users/@me")
        self.assertEqual((status, body["message"]), (401, "401: Unauthorized"))
        await self.api("GET", "/users/@me")
        self.assertTrue(self.emu.violations_of("request_after_401"))

    async def test_webhook_routes_share_one_bucket_keyed_by_webhook_and_token(self):
        interaction = await self.emu.slash_command("create", {"place": "Cafe"})
        await self.api("POST", f"/interactions/{interaction.id}/{interaction.token}/callback",
                       {"type": 5})
        base = f"/webhooks/{self.emu.config.application_id}/{interaction.token}"
        _, _, edit = await self.api("PATCH", f"{base}/messages/@original", {"content": "done"})
        _, _, follow = await self.api("POST", base, {"content": "more"})
        self.assertEqual(edit["X-RateLimit-Bucket"], follow["X-RateLimit-Bucket"])
        self.assertEqual(follow["X-RateLimit-Remaining"], "3")


class Interactions(EmulatorTest):
    async def callback(self, interaction, body: Any):
        return await self.api("POST", f"/interactions/{interaction.id}/{interaction.token}"
                              "/callback", body)

    async def test_slash_command_interaction_has_the_documented_shape(self):
        gw = await self.ready()
        await self.emu.slash_command("create", {"place": "Cafe", "when": "3pm"})
        event = await gw.recv_op(0, "INTERACTION_CREATE")
        d = event["d"]
        self.assertEqual((d["type"], d["data"]["name"], d["data"]["type"]), (2, "tweetup", 1))
        self.assertEqual(d["data"]["options"], [{"type": 1, "name": "create", "options": [
            {"type": 3, "name": "place", "value": "Cafe"},
            {"type": 3, "name": "when", "value": "3pm"}]}])
        self.assertEqual((d["guild_id"], d["channel_id"]), (DEFAULT_GUILD_ID, DEFAULT_CHANNEL_ID))
        self.assertIn("permissions", d["member"])
        self.assertEqual(d["application_id"], self.emu.config.application_id)

    async def test_initial_response_within_the_deadline_then_a_second_is_rejected(self):
        interaction = await self.emu.slash_command("list")
        status, _, _ = await self.callback(interaction, {"type": 4, "data": {
            "content": "nothing yet", "flags": 64}})
        self.assertEqual(status, 204)
        self.assertEqual(interaction.ack_type, 4)
        self.assertLess(interaction.ack_elapsed, 3.0)
        self.assertTrue(self.emu.bot_messages()[0].ephemeral)
        status, body, _ = await self.callback(interaction, {"type": 4, "data": {"content": "2"}})
        self.assertEqual((status, body["code"]), (400, 40060))
        self.assertEqual(body["message"], "Interaction has already been acknowledged.")
        self.assertEqual(len(interaction.callbacks), 2)

    async def test_initial_response_after_three_seconds_is_an_unknown_interaction(self):
        interaction = await self.emu.slash_command("list")
        interaction.dispatched_at -= 3.01  # as if it had been sent 3.01 s ago
        status, body, _ = await self.callback(interaction, {"type": 5})
        self.assertEqual((status, body["code"]), (404, 10062))
        self.assertGreater(interaction.callbacks[0]["elapsed"], 3.0)
        self.assertTrue(self.emu.violations_of("interaction_deadline"))
        base = f"/webhooks/{self.emu.config.application_id}/{interaction.token}"
        status, body, _ = await self.api("POST", base, {"content": "late"})
        self.assertEqual((status, body["code"]), (401, 50027))

    async def test_deferred_response_then_edit_original_and_ephemeral_followup(self):
        interaction = await self.emu.slash_command("create", {"place": "Cafe"})
        status, _, _ = await self.callback(interaction, {"type": 5})
        self.assertEqual(status, 204)
        loading = self.emu.bot_messages()[0]
        self.assertTrue(loading.message["flags"] & 128)
        base = f"/webhooks/{self.emu.config.application_id}/{interaction.token}"
        status, edited, _ = await self.api("PATCH", f"{base}/messages/@original",
                                           {"content": "Created", "allowed_mentions":
                                            {"parse": []}})
        self.assertEqual((status, edited["content"]), (200, "Created"))
        self.assertFalse(edited["flags"] & 128)
        status, follow, _ = await self.api("POST", base, {"content": "psst", "flags": 64})
        self.assertEqual(status, 200)
        self.assertNotEqual(follow["id"], edited["id"])
        self.assertTrue(self.emu.find_message(follow["id"]).ephemeral)
        self.assertEqual(interaction.followup_ids, [follow["id"]])
        interaction.dispatched_at -= 901
        status, body, _ = await self.api("POST", base, {"content": "too late"})
        self.assertEqual((status, body["code"]), (401, 50027))

    async def test_button_click_answered_with_update_message(self):
        _, message, _ = await self.api("POST", f"/channels/{DEFAULT_CHANNEL_ID}/messages", {
            "content": "Tweetup: 1 going", "components": [{"type": 1, "components": [
                {"type": 2, "style": 3, "label": "I'm in", "custom_id": "rsvp:yes:1"}]}]})
        gw = await self.ready()
        interaction = await self.emu.button_click("rsvp:yes:1", message["id"])
        event = await gw.recv_op(0, "INTERACTION_CREATE")
        self.assertEqual(event["d"]["data"], {"custom_id": "rsvp:yes:1", "component_type": 2})
        self.assertEqual(event["d"]["message"]["id"], message["id"])
        status, _, _ = await self.callback(interaction, {"type": 7, "data": {
            "content": "Tweetup: 2 going"}})
        self.assertEqual(status, 204)
        self.assertEqual(self.emu.find_message(message["id"]).content, "Tweetup: 2 going")

    async def test_component_only_callback_types_are_refused_for_slash_commands(self):
        interaction = await self.emu.slash_command("list")
        status, body, _ = await self.callback(interaction, {"type": 7, "data": {"content": "x"}})
        self.assertEqual((status, body["code"]), (400, 50035))
        self.assertFalse(interaction.acked)


class Commands(EmulatorTest):
    guild_route = f"/applications/900000000000000001/guilds/{DEFAULT_GUILD_ID}/commands"
    command = {"name": "tweetup", "description": "Plan a tweetup", "options": [
        {"type": 1, "name": "create", "description": "Create one", "options": [
            {"type": 3, "name": "place", "description": "Where", "required": True},
            {"type": 3, "name": "when", "description": "When", "required": True}]}]}

    async def test_bulk_overwrite_counts_creates_only_for_new_names(self):
        status, first, _ = await self.api("PUT", self.guild_route, [self.command])
        self.assertEqual(status, 200)
        self.assertEqual(self.emu.command_creates_today(DEFAULT_GUILD_ID), 1)
        status, again, _ = await self.api("PUT", self.guild_route, [self.command])
        self.assertEqual(again[0]["id"], first[0]["id"])
        self.assertEqual(self.emu.command_creates_today(DEFAULT_GUILD_ID), 1)
        self.assertEqual(self.emu.command_puts[DEFAULT_GUILD_ID], 2)
        self.assertEqual(self.emu.command_unchanged_puts[DEFAULT_GUILD_ID], 1)
        second = dict(self.command, name="meetup")
        await self.api("PUT", self.guild_route, [self.command, second])
        self.assertEqual(self.emu.command_creates_today(DEFAULT_GUILD_ID), 2)
        await self.api("PUT", "/applications/900000000000000001/commands", [self.command])
        self.assertEqual(self.emu.command_creates_today("global"), 1)
        status, listed, _ = await self.api("GET", self.guild_route)
        self.assertEqual([c["name"] for c in listed], ["tweetup", "meetup"])

    async def test_invalid_command_definitions_are_rejected(self):
        def option(name: str, required: bool) -> dict:
            return {"type": 3, "name": name, "description": "d", "required": required}
        bad = [
            dict(self.command, name="Tweetup"),
            dict(self.command, name="tweet up"),
            dict(self.command, description=""),
            dict(self.command, description="d" * 101),
            dict(self.command, options=[option("a", False), option("b", True)]),
            dict(self.command, options=[option(f"o{i}", False) for i in range(26)]),
        ]
        for command in bad:
            status, body, _ = await self.api("PUT", self.guild_route, [command])
            self.assertEqual((status, body["code"]), (400, 50035), command)
        status, _, _ = await self.api("PUT", self.guild_route, [self.command, self.command])
        self.assertEqual(status, 400)
        self.assertNotIn(DEFAULT_GUILD_ID, self.emu.commands)
        status, _, _ = await self.api("PUT", "/applications/1/commands", [self.command])
        self.assertEqual(status, 403)


class ScheduledEvents(EmulatorTest):
    route = f"/guilds/{DEFAULT_GUILD_ID}/scheduled-events"
    body = {"name": "Tweetup", "privacy_level": 2, "entity_type": 3,
            "scheduled_start_time": "2026-12-01T15:00:00Z",
            "scheduled_end_time": "2026-12-01T17:00:00Z",
            "entity_metadata": {"location": "Starbucks, Alabaster"}}

    async def test_external_event_field_requirements_are_enforced(self):
        missing_end = {k: v for k, v in self.body.items() if k != "scheduled_end_time"}
        for body, field in [
                (missing_end, "scheduled_end_time"),
                (dict(self.body, channel_id=DEFAULT_CHANNEL_ID), "channel_id"),
                (dict(self.body, entity_metadata={"location": "x" * 101}), "entity_metadata"),
                (dict(self.body, entity_metadata=None), "entity_metadata"),
                (dict(self.body, privacy_level=1), "privacy_level"),
                (dict(self.body, name=""), "name"),
                (dict(self.body, scheduled_end_time="2026-12-01T14:00:00Z"),
                 "scheduled_end_time")]:
            status, response, _ = await self.api("POST", self.route, body)
            self.assertEqual((status, response["code"]), (400, 50035), body)
            self.assertIn(field, response["errors"], body)
        status, event, _ = await self.api("POST", self.route, dict(self.body, channel_id=None))
        self.assertEqual(status, 200)
        self.assertEqual((event["status"], event["channel_id"]), (1, None))
        self.assertEqual(event["entity_metadata"], {"location": "Starbucks, Alabaster"})

    async def test_status_moves_scheduled_active_completed_or_scheduled_canceled(self):
        _, event, _ = await self.api("POST", self.route, self.body)
        one = f"{self.route}/{event['id']}"
        status, _, _ = await self.api("PATCH", one, {"status": 3})
        self.assertEqual(status, 400)
        self.assertEqual((await self.api("PATCH", one, {"status": 2}))[1]["status"], 2)
        self.assertEqual((await self.api("PATCH", one, {"status": 3}))[1]["status"], 3)
        status, _, _ = await self.api("PATCH", one, {"name": "again"})
        self.assertEqual(status, 400)  # COMPLETED is final
        _, other, _ = await self.api("POST", self.route, self.body)
        two = f"{self.route}/{other['id']}"
        self.assertEqual((await self.api("PATCH", two, {"status": 4}))[1]["status"], 4)
        status, _, _ = await self.api("PATCH", two, {"status": 1})
        self.assertEqual(status, 400)
        self.assertEqual((await self.api("DELETE", two))[0], 204)
        self.assertEqual((await self.api("GET", two))[0], 404)

    async def test_switching_to_external_needs_channel_null_location_and_end(self):
        voice = {"name": "Voice", "privacy_level": 2, "entity_type": 2,
                 "channel_id": DEFAULT_CHANNEL_ID, "scheduled_start_time": "2026-12-01T15:00:00Z"}
        _, event, _ = await self.api("POST", self.route, voice)
        one = f"{self.route}/{event['id']}"
        status, body, _ = await self.api("PATCH", one, {"entity_type": 3, "entity_metadata": {
            "location": "Cafe"}, "scheduled_end_time": "2026-12-01T17:00:00Z"})
        self.assertEqual(status, 400)
        self.assertIn("channel_id", body["errors"])
        status, body, _ = await self.api("PATCH", one, {
            "entity_type": 3, "channel_id": None, "entity_metadata": {"location": "Cafe"},
            "scheduled_end_time": "2026-12-01T17:00:00Z"})
        self.assertEqual((status, body["entity_type"], body["channel_id"]), (200, 3, None))


class Harnessing(EmulatorTest):
    async def test_burst_dispatch_records_when_each_answer_arrived(self):
        await self.ready(compress=False)
        tracks = await self.emu.dispatch_message_burst(
            [f"!tweetup Cafe-{i} 3pm" for i in range(3)], markers=[f"Cafe-{i}" for i in range(3)])
        self.assertTrue(all(t.seq is not None for t in tracks))
        for i in (2, 0):
            await self.api("POST", f"/channels/{DEFAULT_CHANNEL_ID}/messages",
                           {"content": f"Created Cafe-{i}"})
        await self.emu.wait_for(lambda: tracks[0].answered_at and tracks[2].answered_at)
        self.assertIsNone(tracks[1].answered_at)
        self.assertGreaterEqual(tracks[0].latency, 0)
        self.assertGreater(tracks[0].answered_at, tracks[2].answered_at)

    async def test_wait_for_raises_an_assertion_naming_what_it_waited_for(self):
        with self.assertRaisesRegex(AssertionError, "the impossible"):
            await self.emu.wait_for(lambda: False, timeout=0.05, what="the impossible")

    async def test_cli_mode_serves_gateway_bot(self):
        here = os.path.dirname(os.path.abspath(__file__))
        process = await asyncio.create_subprocess_exec(
            sys.executable, os.path.join(here, "emulator.py"), "--port", "0",
            "--heartbeat-ms", "500", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        try:
            line = b""
            while not line.startswith(b"api_base"):
                line = await asyncio.wait_for(process.stdout.readline(), 10)
                self.assertTrue(line, "the CLI exited early")
            api_base = line.split()[1].decode()
            async with self.http.get(f"{api_base}/gateway") as response:
                self.assertEqual(response.status, 200)
                self.assertRegex((await response.json())["url"], r"^ws://127\.0\.0\.1:\d+/gateway$")
        finally:
            process.terminate()
            await process.wait()


FAKE_BOT = r"""#!/usr/bin/python3
import json, os, signal, sys, urllib.request
config = json.load(open(sys.argv[sys.argv.index("--config") + 1]))
if os.environ.get("FAKE_BOT_CRASH"):
    sys.exit(3)
request = urllib.request.Request(config["discord"]["api_base"] + "/gateway/bot", headers={
    "Authorization": "Bot " + os.environ["TWEETUP_DISCORD_TOKEN"],
    "User-Agent": "DiscordBot (https://example.org/fake, 0.1)"})
url = json.load(urllib.request.urlopen(request))["url"]
stray = sorted(k for k in os.environ if k.startswith("TWEETUP_") and k != "TWEETUP_DISCORD_TOKEN")
print("fake bot: adapter=%s db=%s gateway=%s stray=%s" % (
    config["adapter"], os.path.basename(config["database"]), url, stray), file=sys.stderr,
    flush=True)
signal.signal(signal.SIGTERM, lambda *_: (print("fake bot: stopping", file=sys.stderr,
                                                flush=True), sys.exit(0)))
print("fake bot: waiting", file=sys.stderr, flush=True)
while True:
    signal.pause()
"""


def records_per_response(port: int, cafile: str, path: str, token: str, requests: int) -> list:
    """Sends `requests` GETs on one TLS connection and counts, per response, the TLS records
    that carried its bytes. Records are fed to the TLS object one at a time, so each count is
    exact; records without application data (TLS 1.3 session tickets) are not counted."""
    context = ssl.create_default_context(cafile=cafile)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    raw = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        def next_record() -> bytes:
            nonlocal raw
            while len(raw) < 5 or len(raw) < 5 + int.from_bytes(raw[3:5], "big"):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the emulator closed the connection")
                raw += chunk
            size = 5 + int.from_bytes(raw[3:5], "big")
            record, raw = raw[:size], raw[size:]
            return record

        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                incoming.write(next_record())
        sock.sendall(outgoing.read())
        counts = []
        for _ in range(requests):
            tls.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bot {token}"
                      f"\r\nUser-Agent: {UA}\r\n\r\n".encode())
            sock.sendall(outgoing.read())
            response, records = b"", 0
            while b"\r\n\r\n" not in response or len(response) < response_length(response):
                incoming.write(next_record())
                try:
                    response += tls.read(65536)
                    records += 1
                except ssl.SSLWantReadError:
                    pass  # a record without application data
            counts.append(records)
    return counts


def response_length(response: bytes) -> int:
    """Head plus Content-Length: the whole response's size, once its head has arrived."""
    head, _, _ = response.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    return len(head) + 4 + int(length.group(1))


class RestOverTls(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self._certificates = tempfile.TemporaryDirectory(prefix="tweetup-emulator-tls-")
        self.certificate = harness.self_signed_localhost(self._certificates.name)
        self.emu = DiscordEmulator(heartbeat_interval_ms=200)
        await self.emu.start(ssl_context=harness.server_tls(self.certificate))

    async def asyncTearDown(self) -> None:
        await self.emu.stop()
        self._certificates.cleanup()

    async def test_each_response_is_one_record(self):
        # aiohttp writes a response's head and body separately; the emulator gathers them, as
        # a server that writes a small response from one buffer does.
        counts = await asyncio.to_thread(records_per_response, self.emu.port, self.certificate[0],
                                         "/api/v10/gateway/bot", self.emu.config.token, 3)
        self.assertEqual(counts, [1, 1, 1])
        self.assertEqual(len(self.emu.requests_to("GET", "^/gateway/bot$")), 3)


class Harness(unittest.IsolatedAsyncioTestCase):
    """The scenario harness, driven with a stand-in for the bot binary."""

    async def asyncSetUp(self) -> None:
        self.tmp = self.enterContext(tempfile.TemporaryDirectory())
        self.fake = os.path.join(self.tmp, "fake-bot")
        with open(self.fake, "w", encoding="utf-8") as out:
            out.write(FAKE_BOT)
        os.chmod(self.fake, 0o755)

    async def test_scenario_writes_the_config_passes_the_token_and_stops_with_sigterm(self):
        os.environ["TWEETUP_LOG_LEVEL"] = "trace"  # must not leak into the bot's environment
        self.addCleanup(os.environ.pop, "TWEETUP_LOG_LEVEL", None)
        async with harness.Scenario(binary=self.fake, emulator={"heartbeat_interval_ms": 200},
                                    config={"discord": {"commands": "off"}}) as sc:
            line = await sc.bot.wait_for_log(r"fake bot: adapter=")
            self.assertIn("adapter=discord db=t.db", line)
            self.assertIn(f"gateway={sc.emu.gateway_url}", line)
            self.assertIn("stray=[]", line)
            self.assertEqual(sc.config["discord"]["commands"], "off")
            self.assertEqual(sc.config["discord"]["api_base"], sc.emu.api_base)
            self.assertEqual(sc.config["http"], {"listen": ""})
            await sc.bot.wait_for_log("waiting")
            self.assertEqual(await sc.stop_bot(), 0)
            self.assertTrue(sc.bot.find_log("stopping"))
            self.assertEqual(sc.emu.requests[0].route, "/gateway/bot")
            self.assertFalse(sc.emu.violations)
            workdir = sc.workdir
        self.assertFalse(os.path.exists(workdir))

    async def test_waits_fail_fast_when_the_bot_exits(self):
        async with harness.Scenario(binary=self.fake, env={"FAKE_BOT_CRASH": "1"}) as sc:
            with self.assertRaisesRegex(AssertionError, r"exited \(3\)"):
                await sc.wait_for(lambda: False, timeout=30, what="never")
            with self.assertRaisesRegex(AssertionError, "exited"):
                await sc.bot.wait_for_log("never", timeout=30)
            self.assertEqual(sc.bot.returncode, 3)
            # The emulator's own waits fail too, after the harness's short grace.
            with self.assertRaisesRegex(AssertionError, r"exited \(3\) without being asked"):
                await sc.emu.wait_for(lambda: False, timeout=30, what="never")
            self.assertEqual(await sc.emu.wait_for(lambda: "met", timeout=1), "met")

    async def test_the_bot_can_be_restarted_on_the_same_config(self):
        async with harness.Scenario(binary=self.fake) as sc:
            await sc.bot.wait_for_log("waiting")
            await sc.stop_bot()
            await sc.start_bot()
            await sc.bot.wait_for_log("waiting")
            self.assertEqual(len(sc.runs), 2)
            self.assertEqual(len(sc.emu.requests_to("GET", "^/gateway/bot$")), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
