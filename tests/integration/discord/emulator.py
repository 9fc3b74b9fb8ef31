#!/usr/bin/python3
"""An in-process Discord gateway (v10) and REST API emulator for tests.

One aiohttp application on 127.0.0.1 serves both:
  * REST under /api/v10/... (protocols.md 1b, rules R1-R11),
  * the gateway websocket at /gateway and, for resumes, at /resume (1a, G1-G18, 1e L1-L15).

The emulator checks the client the way Discord does (close codes, HTTP errors, rate limits) and
records everything a test may want to assert on. Anything the client does that Discord would
punish or that the documentation forbids is also appended to `violations`.

Every change to the records notifies waiters, so tests wait with
    await emu.wait_for(lambda: <condition>, timeout=5)
and never poll with sleeps.

Runs under Debian's /usr/bin/python3 (3.11) with python3-aiohttp (3.8); standard library and
aiohttp only. `python3 emulator.py --port N --heartbeat-ms M` runs it standalone.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import zlib
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import WSMsgType, web
from multidict import CIMultiDict

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

# Gateway opcodes (DDOCS topics/opcodes-and-status-codes.mdx, "Gateway Opcodes").
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11
OP_REQUEST_SOUNDBOARD_SOUNDS = 31
CLIENT_OPS_AFTER_IDENTIFY = {OP_PRESENCE_UPDATE, OP_VOICE_STATE_UPDATE,
                             OP_REQUEST_GUILD_MEMBERS, OP_REQUEST_SOUNDBOARD_SOUNDS}

# Intents (DDOCS events/gateway.mdx, "List of Intents"; G7).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16
VALID_INTENTS = sum(1 << bit for bit in list(range(0, 17)) + [20, 21, 24, 25])
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Gateway close codes (G12) with the reason text Discord sends.
CLOSE_REASONS = {
    4000: "Unknown error.",
    4001: "Unknown opcode.",
    4002: "Decode error.",
    4003: "Not authenticated.",
    4004: "Authentication failed.",
    4005: "Already authenticated.",
    4007: "Invalid seq.",
    4008: "Rate limited.",
    4009: "Session timed out.",
    4010: "Invalid shard.",
    4011: "Sharding required.",
    4012: "Invalid API version.",
    4013: "Invalid intent(s).",
    4014: "Disallowed intent(s).",
}

# Message flags (DDOCS resources/message.mdx, "Message Flags").
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15
CREATE_MESSAGE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
INTERACTION_MESSAGE_FLAGS = CREATE_MESSAGE_FLAGS | FLAG_EPHEMERAL

# Application flags reported in READY (DDOCS resources/application.mdx, "Application Flags").
APP_FLAG_GATEWAY_PRESENCE_LIMITED = 1 << 13
APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19

COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)
USER_MENTION_RE = re.compile(r"<@!?(\d{1,20})>")
ROLE_MENTION_RE = re.compile(r"<@&(\d{1,20})>")
SNOWFLAKE_RE = re.compile(r"^\d{1,20}$")

DEFAULT_GUILD_ID = "800000000000000001"
DEFAULT_CHANNEL_ID = "810000000000000001"
DEFAULT_DM_CHANNEL_ID = "830000000000000001"
DEFAULT_USER = {"id": "700000000000000001", "username": "alice", "global_name": "Alice",
                "discriminator": "0", "avatar": None, "bot": False}


def default_guilds() -> List[dict]:
    return [{
        "id": DEFAULT_GUILD_ID,
        "name": "Emulated Guild",
        "channels": [{"id": DEFAULT_CHANNEL_ID, "name": "general", "type": 0},
                     {"id": "810000000000000002", "name": "meetups", "type": 0}],
    }]


@dataclasses.dataclass
class RouteLimit:
    """A per-route limit: `limit` requests per `per` seconds, per bucket and major parameter."""
    limit: int
    per: float


# Per-route limits by route family. Discord's real values change without notice (R11); these
# are in the same range (create message: 5 per 5 s per channel). Override with
# EmulatorConfig.route_limits, e.g. {"messages.create": RouteLimit(2, 0.5)}.
DEFAULT_ROUTE_LIMITS: Dict[str, RouteLimit] = {
    "gateway": RouteLimit(10, 5.0),
    "gateway.bot": RouteLimit(5, 5.0),
    "application.me": RouteLimit(5, 5.0),
    "users.me": RouteLimit(5, 5.0),
    "messages.create": RouteLimit(5, 5.0),
    "messages.edit": RouteLimit(5, 5.0),
    "messages.delete": RouteLimit(5, 1.0),
    "messages.get": RouteLimit(5, 1.0),
    "webhook": RouteLimit(5, 2.0),
    "commands": RouteLimit(5, 20.0),
    "scheduled_events": RouteLimit(5, 5.0),
}


@dataclasses.dataclass
class EmulatorConfig:
    token: str = "emulator-bot-token.Gx1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    application_id: str = "900000000000000001"
    bot_user_id: Optional[str] = None  # defaults to application_id, as for real bot apps
    bot_username: str = "tweetup"
    guilds: List[dict] = dataclasses.field(default_factory=default_guilds)
    dm_channel_ids: List[str] = dataclasses.field(default_factory=lambda: [DEFAULT_DM_CHANNEL_ID])
    heartbeat_interval_ms: int = 41250
    # The server closes a connection (4000, resumable) that sends no heartbeat for
    # interval + grace. None: max(interval / 2, 1 s). 0 or less: never.
    heartbeat_grace: Optional[float] = None
    heartbeat_timeout_close_code: int = 4000
    # Privileged intents not switched on in the "Developer Portal" (identify with one -> 4014).
    disallowed_intents: int = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES
    send_limit: int = 120  # G13: gateway sends per connection per send_window
    send_window: float = 60.0
    # G14: one Identify per identify_spacing in each rate-limit bucket (shard_id %
    # max_concurrency); a faster one gets op 9 d:false.
    identify_spacing: float = 5.0
    max_concurrency: int = 1
    # G15: the shard count GET /gateway/bot recommends, and the least count an Identify may name
    # (fewer: closed with 4011, "sharding required", as for a bot in too many guilds).
    shards: int = 1
    required_shards: int = 1
    session_start_total: int = 1000
    # The session start limit's window (G14): Discord's is 24 h from the first Identify in it.
    # An Identify with none left makes Discord reset the token: closed here with 4004.
    session_start_window: float = 86400.0
    session_resume_timeout: float = 180.0  # how long a dropped session stays resumable (G11)
    interaction_deadline: float = 3.0  # R8: initial response within 3 s
    interaction_token_ttl: float = 900.0  # R8: follow-ups for 15 min
    nonce_window: float = 300.0  # R4: "the past few minutes"
    global_limit: int = 50  # R11: requests per global_window, interaction endpoints excluded
    global_window: float = 1.0
    route_limits: Dict[str, RouteLimit] = dataclasses.field(default_factory=dict)
    echo_own_messages: bool = True  # the bot's own messages come back as MESSAGE_CREATE
    zlib_chunk_size: Optional[int] = None  # split each compressed payload into frames this big
    ws_close_timeout: float = 2.0
    verbose: bool = False


# ---------------------------------------------------------------------------------------------
# Records


@dataclasses.dataclass
class Violation:
    kind: str
    detail: str
    time: float
    request: Optional[int] = None  # index into DiscordEmulator.requests
    connection: Optional[int] = None  # GatewayConnection.id


@dataclasses.dataclass
class RestRequest:
    index: int
    time: float  # loop time of arrival
    method: str
    path: str  # full path, e.g. /api/v10/channels/1/messages
    route: str  # path below /api/v10
    query: Dict[str, str]
    headers: CIMultiDict
    raw: bytes
    body: Any = None  # parsed JSON, or None
    family: Optional[str] = None
    major: Optional[str] = None
    interaction_endpoint: bool = False
    fault: Optional[str] = None  # the injected fault that answered or delayed it
    status: Optional[int] = None
    response: Any = None
    response_headers: Dict[str, str] = dataclasses.field(default_factory=dict)
    completed_at: Optional[float] = None
    rate_headers: Dict[str, str] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass
class ReceivedPayload:
    time: float
    size: int  # bytes on the wire
    binary: bool
    text: str
    payload: Any = None  # parsed JSON, None when it did not parse
    op: Optional[int] = None


@dataclasses.dataclass
class SentPayload:
    time: float
    payload: dict


@dataclasses.dataclass
class Heartbeat:
    time: float
    connection: int
    d: Any
    since_hello: float
    last_seq_sent: Optional[int]  # the last `s` this connection had sent when the beat arrived
    session_seq: Optional[int]  # the session's last `s` (any connection) at that time
    answered_request: bool  # the first beat after a server op 1


@dataclasses.dataclass
class IdentifyRecord:
    time: float
    connection: int
    path: str
    payload: dict
    outcome: str  # "ready", "invalid_session", or "closed <code>"


@dataclasses.dataclass
class ResumeRecord:
    time: float
    connection: int
    path: str
    payload: dict
    outcome: str  # "resumed", "invalid_session", or "closed <code>"
    replayed: int = 0


class Session:
    def __init__(self, session_id: str, intents: int, shard: Optional[list], created_at: float):
        self.id = session_id
        self.intents = intents
        self.shard = shard
        self.created_at = created_at
        self.seq = 0
        self.events: List[dict] = []  # every dispatch of this session, in order
        self.resumable = True
        self.invalidated_reason: Optional[str] = None
        self.connection: Optional["GatewayConnection"] = None
        self.disconnected_at: Optional[float] = None
        self.lock = asyncio.Lock()

    @property
    def shard_pair(self) -> Tuple[int, int]:
        """[id, count] from its Identify; an Identify without `shard` is shard 0 of 1 (G15)."""
        return (self.shard[0], self.shard[1]) if self.shard else (0, 1)


class GatewayConnection:
    def __init__(self, conn_id: int, path: str, query: Dict[str, str], opened_at: float,
                 ws: web.WebSocketResponse, request: web.Request):
        self.id = conn_id
        self.path = path  # "/gateway" or "/resume"
        self.query = query
        self.compress = query.get("compress") == "zlib-stream"
        self.opened_at = opened_at
        self.hello_at: Optional[float] = None
        self.ws = ws
        self.request = request
        self.received: List[ReceivedPayload] = []
        self.sent: List[SentPayload] = []
        self.heartbeats: List[Heartbeat] = []
        self.heartbeat_requests: List[float] = []
        self.identify: Optional[dict] = None
        self.resume: Optional[dict] = None
        self.session: Optional[Session] = None
        self.authenticated = False
        self.live = False  # READY or RESUMED sent: dispatches flow
        self.last_sent_seq: Optional[int] = None
        self.send_times: collections.deque = collections.deque()
        self.max_sends_in_window = 0
        self.client_close_code: Optional[int] = None
        self.client_close_reason: str = ""
        self.server_close_code: Optional[int] = None
        self.ended_by: Optional[str] = None  # "client", "server", "dropped" (no close frame)
        self.closed_at: Optional[float] = None
        self.closing = False
        self.closed = False
        self.server_closed = asyncio.Event()
        self.lock = asyncio.Lock()
        self.deflater = zlib.compressobj() if self.compress else None
        self.ack_heartbeats = True
        self.pending_heartbeat_request = False
        self.watchdog: Optional[asyncio.Task] = None

    @property
    def is_open(self) -> bool:
        return not self.closed and not self.closing

    def received_ops(self) -> List[Optional[int]]:
        return [r.op for r in self.received]

    def sent_ops(self) -> List[Tuple[int, Optional[str]]]:
        return [(s.payload.get("op"), s.payload.get("t")) for s in self.sent]


@dataclasses.dataclass
class StoredMessage:
    message: dict  # the Discord message object (what GET returns)
    pings: dict  # {"users": [...], "roles": [...], "everyone": bool, "replied_user": id|None}
    source: str  # "user", "rest", "interaction", "followup"
    created_at: float
    request: Optional[int] = None
    nonce: Any = None
    ephemeral: bool = False
    deleted: bool = False
    interaction_id: Optional[str] = None
    edits: List[dict] = dataclasses.field(default_factory=list)  # earlier versions

    @property
    def id(self) -> str:
        return self.message["id"]

    @property
    def content(self) -> str:
        return self.message.get("content", "")

    @property
    def by_bot(self) -> bool:
        return bool(self.message.get("author", {}).get("bot"))


@dataclasses.dataclass
class Interaction:
    id: str
    token: str
    type: int
    channel_id: str
    guild_id: Optional[str]
    user: dict
    payload: dict
    dispatched_at: float
    message_id: Optional[str] = None  # the message a component sits on
    acked: bool = False
    # False when the answer to the acknowledging callback was an injected 5xx ("after"): the
    # client then rightly retries (R11), so the 40060 it gets is no violation.
    ack_seen: bool = True
    ack_type: Optional[int] = None
    ack_at: Optional[float] = None
    ack_elapsed: Optional[float] = None
    callbacks: List[dict] = dataclasses.field(default_factory=list)  # every callback attempt
    original_message_id: Optional[str] = None
    followup_ids: List[str] = dataclasses.field(default_factory=list)
    ephemeral_original: bool = False


@dataclasses.dataclass
class Fault:
    method: str
    path: "re.Pattern[str]"
    kind: str
    remaining: int
    params: dict
    hits: List[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Track:
    """Latency of one dispatched message: when it went out, when the bot's answer arrived."""
    marker: Optional[str]
    channel_id: str
    dispatched_at: float
    seq: Optional[int] = None
    answered_at: Optional[float] = None
    request: Optional[int] = None

    @property
    def latency(self) -> Optional[float]:
        if self.answered_at is None:
            return None
        return self.answered_at - self.dispatched_at


class HttpError(Exception):
    """Raised inside REST handlers: the response Discord would give."""

    def __init__(self, status: int, body: Any, violation: Optional[str] = None):
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.violation = violation


def form_error(errors: List[Tuple[str, str, str]]) -> dict:
    """Discord's 50035 body: {"code":50035,"errors":{path:{"_errors":[{code,message}]}},...}."""
    root: dict = {}
    for path, code, message in errors:
        node = root
        for part in (path.split(".") if path else []):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return {"code": 50035, "errors": root, "message": "Invalid Form Body"}


def json_error(code: int, message: str) -> dict:
    return {"message": message, "code": code}


def iso_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def parse_iso8601(value: Any) -> Optional[dt.datetime]:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def is_snowflake(value: Any) -> bool:
    return isinstance(value, str) and SNOWFLAKE_RE.match(value) is not None


# ---------------------------------------------------------------------------------------------
# The emulator


class DiscordEmulator:
    """Use as `async with DiscordEmulator(heartbeat_interval_ms=200) as emu:` or call
    start()/stop(). Keyword arguments are EmulatorConfig fields. All methods run on the event
    loop that started the emulator."""

    def __init__(self, config: Optional[EmulatorConfig] = None, **overrides: Any):
        self.config = dataclasses.replace(config or EmulatorConfig(), **overrides)
        if self.config.bot_user_id is None:
            self.config.bot_user_id = self.config.application_id
        self.route_limits = dict(DEFAULT_ROUTE_LIMITS)
        self.route_limits.update(self.config.route_limits)
        self.port: int = 0
        self._tls = False
        self._runner: Optional[web.AppRunner] = None
        self._cond: Optional[asyncio.Condition] = None
        self._notify_pending = False
        self._abort_reason: Optional[str] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._snowflake_last = 0
        self._snowflake_increment = 0
        self._routes = self._route_table()

        # Gateway records
        self.connections: List[GatewayConnection] = []
        self.sessions: Dict[str, Session] = {}
        self.shard_sessions: Dict[int, Session] = {}  # the live session of each shard id
        self.identifies: List[IdentifyRecord] = []
        self.resumes: List[ResumeRecord] = []
        self.heartbeats: List[Heartbeat] = []
        self.client_close_codes: List[int] = []  # close codes of client-initiated close frames
        self.undelivered: List[dict] = []  # dispatches made while no session existed
        self.session_start_remaining = self.config.session_start_total
        self.session_start_resets_at: Optional[float] = None  # set by the window's first start
        self.ack_heartbeats = True
        self.max_sends_in_window = 0

        # REST records
        self.requests: List[RestRequest] = []
        self.violations: List[Violation] = []
        self.messages: Dict[str, List[StoredMessage]] = collections.defaultdict(list)
        self._message_index: Dict[str, StoredMessage] = {}
        self.interactions: Dict[str, Interaction] = {}
        self.commands: Dict[str, List[dict]] = {}  # scope ("global" or guild id) -> commands
        self.command_puts: Dict[str, int] = collections.defaultdict(int)
        self.command_unchanged_puts: Dict[str, int] = collections.defaultdict(int)
        self.command_creates: Dict[Tuple[str, str], int] = collections.defaultdict(int)
        self.scheduled_events: Dict[str, Dict[str, dict]] = collections.defaultdict(dict)
        self.invalid_requests = 0  # 401/403/429 answers except shared-scope 429s (R11)
        self.unauthorized_seen = False
        self.faults: List[Fault] = []
        self.tracks: List[Track] = []
        self._pending_tracks: List[Track] = []  # tracks waiting for a marker
        # Tracks without a marker wait per channel, answered in order: O(1) per answer, so a
        # benchmark of 20,000 messages does not slow the emulator down.
        self._pending_by_channel: Dict[str, collections.deque] = collections.defaultdict(
            collections.deque)
        self._buckets: Dict[Tuple[str, str], dict] = {}
        self._global_times: collections.deque = collections.deque()
        self.global_pause_until = 0.0
        self._nonces: Dict[Tuple[str, str], Tuple[str, float]] = {}

        self._channels: Dict[str, Optional[str]] = {}  # channel id -> guild id (None for DMs)
        for guild in self.config.guilds:
            for channel in guild.get("channels", []):
                self._channels[channel["id"]] = guild["id"]
        for channel_id in self.config.dm_channel_ids:
            self._channels[channel_id] = None

    # ----- lifecycle ---------------------------------------------------------------------

    async def start(self, port: int = 0,
                    ssl_context: Optional[ssl.SSLContext] = None) -> "DiscordEmulator":
        """Listens on 127.0.0.1. With `ssl_context` it serves https:// and wss:// instead, and
        its URLs name the host "localhost", which the context's certificate must carry."""
        self._tls = ssl_context is not None
        self._loop = asyncio.get_running_loop()
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=26 * 1024 * 1024)
        for path in ("/gateway", "/gateway/", "/resume", "/resume/"):
            app.router.add_get(path, self._ws_handler)
        app.router.add_route("*", "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, shutdown_timeout=2.0,
                           ssl_context=ssl_context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._log(f"listening on {self.api_base} and {self.gateway_url}")
        return self

    async def stop(self) -> None:
        for conn in list(self.connections):
            if conn.watchdog:
                conn.watchdog.cancel()
            if not conn.closed:
                try:
                    conn.request.transport.abort()
                except Exception:  # noqa: BLE001 - best effort at shutdown
                    pass
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "DiscordEmulator":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    def _url(self, scheme: str, path: str = "") -> str:
        """`scheme` ("http" or "ws") with TLS's "s" when serving TLS, for this server."""
        if self._tls:
            return f"{scheme}s://localhost:{self.port}{path}"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return self._url("http")

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return self._url("ws", "/gateway")

    @property
    def resume_url(self) -> str:
        return self._url("ws", "/resume")

    @property
    def bot_user(self) -> dict:
        return {"id": self.config.bot_user_id, "username": self.config.bot_username,
                "global_name": None, "discriminator": "0", "avatar": None, "bot": True}

    def now(self) -> float:
        """The clock every recorded `time` uses (the event loop's monotonic clock)."""
        assert self._loop is not None, "start() the emulator first"
        return self._loop.time()

    # ----- waiting -----------------------------------------------------------------------

    def _changed(self) -> None:
        if self._notify_pending or self._loop is None:
            return
        self._notify_pending = True
        self._loop.create_task(self._notify())

    async def _notify(self) -> None:
        self._notify_pending = False
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0,
                       what: Optional[str] = None) -> Any:
        """Wait until predicate() is truthy (re-checked after every recorded change) and return
        its value. Raises AssertionError naming `what` on timeout, or at once after
        abort_waits()."""
        assert self._cond is not None, "start() the emulator first"

        def check() -> Any:
            value = predicate()
            if not value and self._abort_reason is not None:
                raise AssertionError(f"{self._abort_reason} (while waiting for "
                                     f"{what or predicate!r})")
            return value

        async with self._cond:
            try:
                return await asyncio.wait_for(self._cond.wait_for(check), timeout)
            except asyncio.TimeoutError:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {what or predicate!r}") from None

    def abort_waits(self, reason: Optional[str]) -> None:
        """From now on, every wait_for whose condition is not met fails at once with `reason`
        (None: wait normally again). The harness calls this when the bot process dies, so a test
        fails with the cause instead of a timeout."""
        self._abort_reason = reason
        self._changed()

    @property
    def current_session(self) -> Optional[Session]:
        """Shard 0's session: the only one of a bot that does not shard."""
        return self.shard_sessions.get(0)

    @staticmethod
    def shard_of(guild_id: Optional[str], count: int) -> int:
        """G15: the shard that gets a guild's events; DMs go to shard 0."""
        return 0 if guild_id is None else (int(guild_id) >> 22) % count

    def _session_for(self, guild_id: Optional[str]) -> Optional[Session]:
        for shard_id in sorted(self.shard_sessions):
            session = self.shard_sessions[shard_id]
            if self.shard_of(guild_id, session.shard_pair[1]) == shard_id:
                return session
        return None

    def _identify_bucket(self, payload: Any) -> int:
        shard = payload.get("shard") if isinstance(payload, dict) else None
        shard_id = shard[0] if isinstance(shard, list) and shard and type(shard[0]) is int else 0
        return shard_id % max(1, self.config.max_concurrency)

    async def wait_for_ready(self, count: int = 1, timeout: float = 10.0) -> Session:
        """Wait until `count` identifies have been answered with READY; returns shard 0's
        session (any live one when shard 0 has none)."""
        await self.wait_for(lambda: sum(1 for i in self.identifies if i.outcome == "ready")
                            >= count, timeout, f"{count} READY")
        session = self.current_session or next(iter(self.shard_sessions.values()), None)
        assert session is not None
        return session

    async def wait_for_resumed(self, count: int = 1, timeout: float = 10.0) -> ResumeRecord:
        await self.wait_for(lambda: sum(1 for r in self.resumes if r.outcome == "resumed")
                            >= count, timeout, f"{count} RESUMED")
        return [r for r in self.resumes if r.outcome == "resumed"][count - 1]

    async def wait_for_live(self, timeout: float = 10.0) -> GatewayConnection:
        """Wait until a connection is open and has received READY or RESUMED."""
        await self.wait_for(lambda: self.live_connection() is not None, timeout,
                            "a live gateway connection")
        conn = self.live_connection()
        assert conn is not None
        return conn

    async def wait_for_bot_message(self, channel_id: Optional[str] = None,
                                   predicate: Callable[[StoredMessage], bool] = lambda m: True,
                                   timeout: float = 5.0) -> StoredMessage:
        """Wait for a message the bot posted (REST, interaction response or follow-up)."""
        def find() -> Optional[StoredMessage]:
            for message in self.bot_messages(channel_id, include_deleted=True):
                if predicate(message):
                    return message
            return None
        return await self.wait_for(find, timeout, f"a bot message in {channel_id}")

    async def wait_for_request(self, predicate: Callable[[RestRequest], bool],
                               timeout: float = 5.0) -> RestRequest:
        def find() -> Optional[RestRequest]:
            for request in self.requests:
                if request.completed_at is not None and predicate(request):
                    return request
            return None
        return await self.wait_for(find, timeout, "a matching REST request")

    # ----- inspection helpers ------------------------------------------------------------

    def live_connection(self) -> Optional[GatewayConnection]:
        for conn in reversed(self.connections):
            if conn.is_open and conn.live:
                return conn
        return None

    def open_connection(self) -> Optional[GatewayConnection]:
        for conn in reversed(self.connections):
            if conn.is_open:
                return conn
        return None

    def bot_messages(self, channel_id: Optional[str] = None,
                     include_deleted: bool = False) -> List[StoredMessage]:
        channels = [channel_id] if channel_id is not None else list(self.messages)
        found = []
        for cid in channels:
            for message in self.messages.get(cid, []):
                if message.by_bot and (include_deleted or not message.deleted):
                    found.append(message)
        found.sort(key=lambda m: m.created_at)
        return found

    def find_message(self, message_id: str) -> Optional[StoredMessage]:
        return self._message_index.get(message_id)

    def _store_message(self, channel_id: str, stored: StoredMessage) -> None:
        """Keep a message in its channel and in the index by id (a benchmark stores 20,000)."""
        self.messages[channel_id].append(stored)
        self._message_index[stored.id] = stored

    def violations_of(self, *kinds: str) -> List[Violation]:
        return [v for v in self.violations if not kinds or v.kind in kinds]

    def requests_to(self, method: str, route_pattern: str) -> List[RestRequest]:
        pattern = re.compile(route_pattern)
        return [r for r in self.requests if r.method == method and pattern.search(r.route)]

    def command_creates_today(self, scope: str) -> int:
        return self.command_creates[(scope, dt.date.today().isoformat())]

    def summary(self) -> str:
        """A short human-readable digest for failure messages."""
        lines = [f"connections: {len(self.connections)}, identifies: "
                 f"{[i.outcome for i in self.identifies]}, resumes: "
                 f"{[r.outcome for r in self.resumes]}, client close codes: "
                 f"{self.client_close_codes}"]
        lines.append(f"requests: {[(r.method, r.route, r.status) for r in self.requests[-20:]]}")
        lines.append(f"violations: {[(v.kind, v.detail) for v in self.violations]}")
        return "\n".join(lines)

    def _log(self, text: str) -> None:
        if self.config.verbose:
            print(f"[emulator] {text}", flush=True)

    def _violation(self, kind: str, detail: str, request: Optional[int] = None,
                   connection: Optional[int] = None) -> None:
        self.violations.append(Violation(kind, detail, self.now(), request, connection))
        self._log(f"VIOLATION {kind}: {detail}")
        self._changed()

    def snowflake(self, ago: float = 0.0) -> str:
        """A new id made `ago` seconds before now: its top bits are that instant."""
        value = (int((time.time() - ago) * 1000) - DISCORD_EPOCH_MS) << 22
        if ago > 0:
            # Unique by its low 22 bits (Discord's worker, process and increment).
            self._snowflake_increment = (self._snowflake_increment + 1) & 0x3FFFFF
            return str(value | self._snowflake_increment)
        value = max(value, self._snowflake_last + 1)
        self._snowflake_last = value
        return str(value)

    # ----- gateway: websocket handler ----------------------------------------------------

    async def _ws_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoclose=True, autoping=True, max_msg_size=1 << 20,
                                   timeout=self.config.ws_close_timeout)
        await ws.prepare(request)
        path = "/resume" if request.path.startswith("/resume") else "/gateway"
        conn = GatewayConnection(len(self.connections) + 1, path, dict(request.query), self.now(),
                                 ws, request)
        conn.ack_heartbeats = self.ack_heartbeats
        self.connections.append(conn)
        self._log(f"conn {conn.id} opened on {request.path_qs}")
        self._changed()
        try:
            if await self._check_query(conn):
                await self._send(conn, {"op": OP_HELLO, "d": {
                    "heartbeat_interval": self.config.heartbeat_interval_ms}, "s": None, "t": None})
                conn.hello_at = self.now()
                if self._heartbeat_deadline() is not None:
                    conn.watchdog = asyncio.get_running_loop().create_task(
                        self._watchdog(conn))
                await self._read_loop(conn)
        except Exception:  # noqa: BLE001 - an emulator bug must fail the test, not hang it
            details = traceback.format_exc()
            print(f"[emulator] error on gateway connection {conn.id}:\n{details}",
                  file=sys.stderr, flush=True)
            self._violation("emulator_error", details, connection=conn.id)
            raise
        finally:
            if conn.watchdog:
                conn.watchdog.cancel()
            if conn.closing and not conn.server_closed.is_set():
                await conn.server_closed.wait()
            self._connection_ended(conn)
        return ws

    async def _check_query(self, conn: GatewayConnection) -> bool:
        v = conn.query.get("v")
        encoding = conn.query.get("encoding")
        compress = conn.query.get("compress")
        if v != "10":
            self._violation("gateway_query", f"v={v!r}, expected 10 (G1)", connection=conn.id)
            await self._server_close(conn, 4012)
            return False
        if encoding != "json":
            self._violation("gateway_query", f"encoding={encoding!r}; the emulator speaks json "
                            "(G1)", connection=conn.id)
            await self._server_close(conn, 4000 if encoding == "etf" else 4002)
            return False
        if compress not in (None, "zlib-stream"):
            self._violation("gateway_query", f"compress={compress!r}; only zlib-stream is "
                            "emulated (G1, G16)", connection=conn.id)
            await self._server_close(conn, 4000)
            return False
        return True

    async def _read_loop(self, conn: GatewayConnection) -> None:
        ws = conn.ws
        while True:
            msg = await ws.receive()
            if msg.type == WSMsgType.TEXT:
                await self._on_frame(conn, msg.data, binary=False)
            elif msg.type == WSMsgType.BINARY:
                self._violation("gateway_binary_frame", "client sent a binary frame; JSON "
                                "payloads go in text frames (B4)", connection=conn.id)
                try:
                    text = msg.data.decode("utf-8")
                except UnicodeDecodeError:
                    text = ""
                await self._on_frame(conn, text, binary=True, size=len(msg.data))
            elif msg.type == WSMsgType.CLOSE:
                code = msg.data if msg.data else 1005  # 1005: a close frame without a code
                conn.client_close_code = code
                conn.client_close_reason = msg.extra or ""
                conn.ended_by = "client"
                self.client_close_codes.append(code)
                self._log(f"conn {conn.id} closed by client with {code}")
                return
            elif msg.type == WSMsgType.CLOSING:
                return  # our own close() is in progress
            else:  # CLOSED or ERROR: the TCP connection ended without a close frame
                if conn.ended_by is None:
                    conn.ended_by = "dropped"
                self._log(f"conn {conn.id} ended without a close frame")
                return
            if conn.closing or conn.closed:
                return

    def _connection_ended(self, conn: GatewayConnection) -> None:
        conn.closed = True
        conn.closed_at = self.now()
        conn.live = False
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            session.disconnected_at = conn.closed_at
            # G11: a client close with 1000/1001 ends the session; other codes and a dropped
            # TCP connection leave it resumable for a while.
            if conn.ended_by == "client" and conn.client_close_code in (1000, 1001):
                self._invalidate(session, f"client closed with {conn.client_close_code}")
        self._changed()

    def _invalidate(self, session: Session, reason: str) -> None:
        session.resumable = False
        session.invalidated_reason = reason
        for shard_id, live in list(self.shard_sessions.items()):
            if live is session:
                del self.shard_sessions[shard_id]
        self._changed()

    async def _server_close(self, conn: GatewayConnection, code: int,
                            reason: Optional[str] = None) -> None:
        if conn.closing or conn.closed:
            return
        conn.closing = True
        conn.server_close_code = code
        if conn.ended_by is None:
            conn.ended_by = "server"
        self._log(f"conn {conn.id} closing with {code}")
        self._changed()
        try:
            await conn.ws.close(code=code, message=(reason or CLOSE_REASONS.get(code, "")).encode())
        finally:
            conn.server_closed.set()

    def _heartbeat_deadline(self) -> Optional[float]:
        interval = self.config.heartbeat_interval_ms / 1000.0
        grace = self.config.heartbeat_grace
        if grace is None:
            grace = max(interval / 2, 1.0)
        if grace <= 0:
            return None
        return interval + grace

    async def _watchdog(self, conn: GatewayConnection) -> None:
        """'If your app fails to send a heartbeat event in time, your connection will be closed
        and you will be forced to Resume' (DDOCS events/gateway.mdx, Heartbeat Interval)."""
        limit = self._heartbeat_deadline()
        assert limit is not None and conn.hello_at is not None
        while conn.is_open:
            last = conn.heartbeats[-1].time if conn.heartbeats else conn.hello_at
            remaining = last + limit - self.now()
            if remaining > 0:
                await asyncio.sleep(remaining)
                continue
            self._violation("heartbeat_late", f"no heartbeat for {limit:.3f} s (G4)",
                            connection=conn.id)
            # Shielded: the connection's handler cancels this task once the close begins.
            await asyncio.shield(self._server_close(conn,
                                                    self.config.heartbeat_timeout_close_code))
            return

    async def _send(self, conn: GatewayConnection, payload: dict) -> bool:
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        async with conn.lock:
            if conn.closed or conn.ws.closed:
                return False
            try:
                if conn.deflater is not None:
                    # G16: one deflate stream per connection, every payload ends with a
                    # Z_SYNC_FLUSH (00 00 ff ff), sent as binary frames.
                    raw = conn.deflater.compress(data.encode("utf-8"))
                    raw += conn.deflater.flush(zlib.Z_SYNC_FLUSH)
                    chunk = self.config.zlib_chunk_size
                    if chunk:
                        for start in range(0, len(raw), chunk):
                            await conn.ws.send_bytes(raw[start:start + chunk])
                    else:
                        await conn.ws.send_bytes(raw)
                else:
                    await conn.ws.send_str(data)
            except (ConnectionResetError, RuntimeError):
                return False
            conn.sent.append(SentPayload(self.now(), payload))
            if payload.get("op") == OP_DISPATCH:
                conn.last_sent_seq = payload.get("s")
        self._changed()
        return True

    async def _on_frame(self, conn: GatewayConnection, text: str, binary: bool,
                        size: Optional[int] = None) -> None:
        now = self.now()
        size = size if size is not None else len(text.encode("utf-8"))
        record = ReceivedPayload(now, size, binary, text)
        conn.received.append(record)
        # G13: 120 sends per connection per 60 s, every opcode counted.
        conn.send_times.append(now)
        while conn.send_times and conn.send_times[0] <= now - self.config.send_window:
            conn.send_times.popleft()
        conn.max_sends_in_window = max(conn.max_sends_in_window, len(conn.send_times))
        self.max_sends_in_window = max(self.max_sends_in_window, conn.max_sends_in_window)
        self._changed()
        if len(conn.send_times) > self.config.send_limit:
            self._violation("gateway_rate_limit", f"{len(conn.send_times)} sends within "
                            f"{self.config.send_window} s (G13)", connection=conn.id)
            await self._server_close(conn, 4008)
            return
        if size > 4096:
            self._violation("gateway_payload_too_large", f"{size} bytes > 4096 (G3)",
                            connection=conn.id)
            await self._server_close(conn, 4002)
            return
        try:
            payload = json.loads(text)
        except ValueError:
            self._violation("gateway_decode", "payload is not JSON", connection=conn.id)
            await self._server_close(conn, 4002)
            return
        record.payload = payload
        if not isinstance(payload, dict) or type(payload.get("op")) is not int:
            self._violation("gateway_decode", "payload has no integer op (G3)",
                            connection=conn.id)
            await self._server_close(conn, 4002)
            return
        op = payload["op"]
        record.op = op
        self._log(f"conn {conn.id} <- op {op}")
        d = payload.get("d")
        if op == OP_HEARTBEAT:
            await self._on_heartbeat(conn, d)
        elif op == OP_IDENTIFY:
            await self._on_identify(conn, d)
        elif op == OP_RESUME:
            await self._on_resume(conn, d)
        elif op in CLIENT_OPS_AFTER_IDENTIFY:
            if not conn.authenticated:
                self._violation("gateway_not_authenticated", f"op {op} before Identify",
                                connection=conn.id)
                await self._server_close(conn, 4003)
        else:
            self._violation("gateway_unknown_opcode", f"op {op}", connection=conn.id)
            await self._server_close(conn, 4001 if conn.authenticated else 4003)

    async def _on_heartbeat(self, conn: GatewayConnection, d: Any) -> None:
        now = self.now()
        if d is not None and type(d) is not int:
            self._violation("heartbeat_d", f"d={d!r} must be the last seq or null (G8)",
                            connection=conn.id)
            await self._server_close(conn, 4002)
            return
        session_seq = conn.session.seq if conn.session else None
        beat = Heartbeat(now, conn.id, d, now - (conn.hello_at or conn.opened_at),
                         conn.last_sent_seq, session_seq, conn.pending_heartbeat_request)
        conn.pending_heartbeat_request = False
        if d is not None and session_seq is not None and d > session_seq:
            self._violation("heartbeat_d", f"d={d} is ahead of the session's seq {session_seq}",
                            connection=conn.id)
        conn.heartbeats.append(beat)
        self.heartbeats.append(beat)
        self._changed()
        if conn.ack_heartbeats and self.ack_heartbeats:
            await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})

    async def _refuse(self, conn: GatewayConnection, record: Any, code: int, kind: str,
                      detail: str) -> None:
        """Close an Identify or Resume the way Discord would, and record why."""
        record.outcome = f"closed {code}"
        self._violation(kind, detail, connection=conn.id)
        await self._server_close(conn, code)

    async def _on_identify(self, conn: GatewayConnection, d: Any) -> None:
        now = self.now()
        payload = d if isinstance(d, dict) else {}
        record = IdentifyRecord(now, conn.id, conn.path, payload, "pending")
        self.identifies.append(record)
        self._changed()

        if conn.authenticated:
            return await self._refuse(
                conn, record, 4005, "identify_twice", "a second Identify on one connection (G6)")
        if not isinstance(d, dict):
            return await self._refuse(conn, record, 4002, "identify_shape", "d is not an object")
        token = d.get("token")
        if not isinstance(token, str) or token.startswith("Bot "):
            return await self._refuse(
                conn, record, 4004, "identify_token", "the Identify token must be the bare "
                                "token, without 'Bot ' (G6)")
        if token != self.config.token:
            return await self._refuse(conn, record, 4004, "identify_token", "wrong token")
        intents = d.get("intents")
        if type(intents) is not int or intents < 0 or intents & ~VALID_INTENTS:
            return await self._refuse(
                conn, record, 4013, "identify_intents", f"invalid intents {intents!r} (G7)")
        if intents & self.config.disallowed_intents:
            return await self._refuse(
                conn, record, 4014, "identify_intents", f"intents {intents} include "
                                f"disallowed bits {intents & self.config.disallowed_intents} "
                                "(G7)")
        properties = d.get("properties")
        if not isinstance(properties, dict) or not all(
                isinstance(properties.get(key), str) for key in ("os", "browser", "device")):
            return await self._refuse(
                conn, record, 4002, "identify_properties", "properties needs os, browser and "
                                "device (the $-prefixed names are deprecated) (G6)")
        shard = d.get("shard")
        if shard is not None and not (
                isinstance(shard, list) and len(shard) == 2 and all(type(x) is int for x in shard)
                and shard[1] >= 1 and 0 <= shard[0] < shard[1]):
            return await self._refuse(
                conn, record, 4010, "identify_shard", f"invalid shard {shard!r} (G15)")
        shard_id, shard_count = shard if shard is not None else (0, 1)
        large = d.get("large_threshold")
        if large is not None and (type(large) is not int or not 50 <= large <= 250):
            return await self._refuse(
                conn, record, 4002, "identify_shape", f"large_threshold {large!r} not in "
                                "50..250 (G6)")
        if d.get("compress") is True and conn.compress:
            self._violation("identify_compress", "payload compression requested together with "
                            "zlib-stream transport compression (G18)", connection=conn.id)
        # G14: one Identify per identify_spacing seconds in each bucket; one refused for
        # sharding was read and timed all the same.
        bucket = self._identify_bucket(d)
        accepted = [i for i in self.identifies[:-1] if i.outcome in ("ready", "closed 4011")
                    and self._identify_bucket(i.payload) == bucket]
        if accepted and now - accepted[-1].time < self.config.identify_spacing:
            record.outcome = "invalid_session"
            self._violation("identify_too_fast", f"Identify {now - accepted[-1].time:.3f} s "
                            f"after the previous one in bucket {bucket}; max_concurrency "
                            f"{self.config.max_concurrency} needs "
                            f"{self.config.identify_spacing} s (G14)", connection=conn.id)
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if shard_count < self.config.required_shards:
            # Not the bot's mistake until it ignores this: Discord's answer for a bot in more
            # guilds than its shards may hold (2,500 each).
            record.outcome = "closed 4011"
            self._log(f"conn {conn.id}: {shard_count} shards, {self.config.required_shards} "
                      "required")
            await self._server_close(conn, 4011)
            return
        self._refill_session_starts(now)
        if self.session_start_remaining <= 0:
            # Discord ends every session and resets the token; the bot cannot log in again.
            return await self._refuse(
                conn, record, 4004, "session_start_limit",
                f"an Identify with no session start left (total "
                f"{self.config.session_start_total}); Discord resets the token (G14)")
        self.session_start_remaining -= 1
        if self.session_start_resets_at is None:
            self.session_start_resets_at = now + self.config.session_start_window
        conn.identify = d
        conn.authenticated = True
        session = Session(secrets.token_hex(16), intents, shard, now)
        self.sessions[session.id] = session
        old = self.shard_sessions.get(shard_id)
        if old is not None and old is not session:
            # A new Identify starts a new session; the old one can no longer receive events.
            self._invalidate(old, "superseded by a new Identify")
        self.shard_sessions[shard_id] = session
        record.outcome = "ready"
        async with session.lock:
            session.connection = conn
            conn.session = session
            await self._emit(session, "READY", self._ready_payload(session))
            for guild in self._guilds_of(session):
                await self._emit(session, "GUILD_CREATE", self._guild_create_payload(guild))
            conn.live = True
        self._changed()

    def _application_flags(self) -> int:
        flags = 0
        if not self.config.disallowed_intents & INTENT_MESSAGE_CONTENT:
            flags |= APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
        if not self.config.disallowed_intents & INTENT_GUILD_MEMBERS:
            flags |= APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED
        if not self.config.disallowed_intents & INTENT_GUILD_PRESENCES:
            flags |= APP_FLAG_GATEWAY_PRESENCE_LIMITED
        return flags

    def _ready_payload(self, session: Session) -> dict:
        flags = self._application_flags()
        ready = {
            "v": 10,
            "user": dict(self.bot_user, verified=True, mfa_enabled=False, flags=0),
            "guilds": [{"id": g["id"], "unavailable": True} for g in self._guilds_of(session)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_url,
            "application": {"id": self.config.application_id, "flags": flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "user_settings": {},
            "_trace": ["[\"emulator\",{\"micros\":1}]"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        return ready

    def _guilds_of(self, session: Session) -> List[dict]:
        shard_id, count = session.shard_pair
        return [g for g in self.config.guilds if self.shard_of(g["id"], count) == shard_id]

    def _guild_create_payload(self, guild: dict) -> dict:
        channels = [dict({"type": 0, "position": i, "permission_overwrites": [], "nsfw": False,
                          "parent_id": None}, **c) for i, c in enumerate(guild.get("channels", []))]
        roles = guild.get("roles") or [{"id": guild["id"], "name": "@everyone",
                                        "permissions": "1071698660929", "position": 0,
                                        "color": 0, "hoist": False, "managed": False,
                                        "mentionable": False, "flags": 0}]
        return {
            "id": guild["id"],
            "name": guild.get("name", "guild"),
            "unavailable": False,
            "owner_id": guild.get("owner_id", DEFAULT_USER["id"]),
            "joined_at": iso_now(),
            "large": False,
            "member_count": 2,
            "channels": channels,
            "threads": [],
            "roles": roles,
            "members": [{"user": self.bot_user, "roles": [], "joined_at": iso_now(),
                         "deaf": False, "mute": False}],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "stage_instances": [],
            "guild_scheduled_events": list(self.scheduled_events.get(guild["id"], {}).values()),
            "preferred_locale": "en-US",
            "system_channel_id": channels[0]["id"] if channels else None,
        }

    async def _on_resume(self, conn: GatewayConnection, d: Any) -> None:
        now = self.now()
        payload = d if isinstance(d, dict) else {}
        record = ResumeRecord(now, conn.id, conn.path, payload, "pending")
        self.resumes.append(record)
        self._changed()

        if conn.authenticated:
            return await self._refuse(
                conn, record, 4005, "resume_after_identify", "Resume on an authenticated "
                                "connection (G9)")
        if not isinstance(d, dict):
            return await self._refuse(conn, record, 4002, "resume_shape", "d is not an object")
        token = d.get("token")
        if not isinstance(token, str) or token.startswith("Bot ") or token != self.config.token:
            return await self._refuse(
                conn, record, 4004, "resume_token", "Resume needs the bare, valid token (G9)")
        session = self.sessions.get(d.get("session_id")) if isinstance(
            d.get("session_id"), str) else None
        expired = (session is not None and session.connection is None
                   and session.disconnected_at is not None
                   and now - session.disconnected_at > self.config.session_resume_timeout)
        if session is not None and expired:
            self._invalidate(session, "resume timeout")
        if session is None or not session.resumable:
            record.outcome = "invalid_session"
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        seq = d.get("seq")
        if type(seq) is not int or seq < 0 or seq > session.seq:
            return await self._refuse(
                conn, record, 4007, "resume_seq", f"seq {seq!r}, session is at {session.seq}")
        if conn.path != "/resume":
            # Allowed by Discord, but not what the docs ask for (G9, L5). Recorded only.
            self._log(f"conn {conn.id} resumed on {conn.path}")
        old = session.connection
        if old is not None and old is not conn and old.is_open:
            await self._server_close(old, 4000, "Session resumed elsewhere.")
        conn.resume = d
        conn.authenticated = True
        async with session.lock:
            session.connection = conn
            conn.session = session
            replay = [e for e in session.events
                      if e["s"] > seq and e["t"] not in ("READY", "RESUMED")]
            for event in replay:
                await self._send(conn, event)
            record.replayed = len(replay)
            await self._emit(session, "RESUMED", {"_trace": ["[\"emulator\",{}]"]})
            conn.live = True
        record.outcome = "resumed"
        self._changed()

    async def _emit(self, session: Session, t: str, d: Any) -> dict:
        """Give the event the session's next seq, log it, send it if the session is connected.
        Callers hold session.lock."""
        session.seq += 1
        event = {"op": OP_DISPATCH, "d": d, "s": session.seq, "t": t}
        session.events.append(event)
        conn = session.connection
        if conn is not None and conn.is_open:
            await self._send(conn, event)
        self._changed()
        return event

    # ----- gateway: test controls --------------------------------------------------------

    def _deliverable(self, session: Session, t: str, d: Any) -> Optional[Any]:
        """Apply the session's intents (G7): drop events it did not ask for and blank message
        content without MESSAGE_CONTENT (except DMs, the bot's own and mentioning messages)."""
        intents = session.intents
        if t in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            in_guild = isinstance(d, dict) and d.get("guild_id") is not None
            needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
            if not intents & needed:
                return None
            if t != "MESSAGE_DELETE" and in_guild and not intents & INTENT_MESSAGE_CONTENT:
                author_id = d.get("author", {}).get("id")
                mentioned = any(u.get("id") == self.config.bot_user_id
                                for u in d.get("mentions", []))
                if author_id != self.config.bot_user_id and not mentioned:
                    d = dict(d, content="", embeds=[], attachments=[], components=[])
        if t.startswith("GUILD_SCHEDULED_EVENT_") and not intents & INTENT_GUILD_SCHEDULED_EVENTS:
            return None
        return d

    async def dispatch(self, t: str, d: Any) -> Optional[int]:
        """Dispatch an event to the session of the shard it belongs to (G15: its guild's, or
        shard 0 without a guild): sent at once when connected, otherwise kept in the session's
        log and replayed on resume. Returns its seq, or None when no session exists or the
        session's intents filter it out."""
        session = self._session_for(d.get("guild_id") if isinstance(d, dict) else None)
        if session is None:
            self.undelivered.append({"t": t, "d": d, "time": self.now()})
            self._changed()
            return None
        filtered = self._deliverable(session, t, d)
        if filtered is None:
            self.undelivered.append({"t": t, "d": d, "time": self.now(), "filtered": True})
            self._changed()
            return None
        async with session.lock:
            event = await self._emit(session, t, filtered)
        return event["s"]

    def _channel_guild(self, channel_id: str) -> Optional[str]:
        return self._channels.get(channel_id)

    async def message_create(self, content: str, *, channel_id: str = DEFAULT_CHANNEL_ID,
                             guild_id: Any = ..., author: Optional[dict] = None,
                             member: Optional[dict] = None, message_id: Optional[str] = None,
                             extra: Optional[dict] = None) -> dict:
        """A user posts `content`: stored in the channel and dispatched as MESSAGE_CREATE.
        `<@id>` in the content fills `mentions`. Returns the message object."""
        if guild_id is ...:
            guild_id = self._channel_guild(channel_id)
        author = dict(author or DEFAULT_USER)
        mentions = [{"id": uid, "username": f"user{uid[-4:]}", "bot": uid ==
                     self.config.bot_user_id} for uid in USER_MENTION_RE.findall(content)]
        message = {
            "id": message_id or self.snowflake(),
            "type": 0,
            "channel_id": channel_id,
            "author": author,
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": "@everyone" in content or "@here" in content,
            "mentions": mentions,
            "mention_roles": ROLE_MENTION_RE.findall(content),
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": 0,
        }
        if guild_id is not None:
            message["guild_id"] = guild_id
            message["member"] = dict({"roles": [], "joined_at": iso_now(), "deaf": False,
                                      "mute": False, "flags": 0}, **(member or {}))
        if extra:
            message.update(extra)
        self._store_message(channel_id, StoredMessage(
            message, {"users": [], "roles": [], "everyone": False, "replied_user": None},
            "user", self.now()))
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def dispatch_message_burst(self, contents: List[str], *,
                                     channel_id: str = DEFAULT_CHANNEL_ID,
                                     markers: Optional[List[Optional[str]]] = None,
                                     author: Optional[dict] = None) -> List[Track]:
        """Dispatch many MESSAGE_CREATEs back to back and track, per message, when the bot's
        answer (a message create, interaction response or follow-up whose JSON body contains the
        marker, or without a marker the next one in that channel) arrived."""
        tracks = []
        for index, content in enumerate(contents):
            marker = markers[index] if markers is not None else None
            track = Track(marker, channel_id, self.now())
            self.tracks.append(track)
            if marker is None:
                self._pending_by_channel[channel_id].append(track)
            else:
                self._pending_tracks.append(track)
            await self.message_create(content, channel_id=channel_id, author=author)
            session = self._session_for(self._channel_guild(channel_id))
            track.seq = session.seq if session else None
            tracks.append(track)
        return tracks

    def _match_tracks(self, request: RestRequest, channel_id: Optional[str]) -> None:
        waiting = self._pending_by_channel.get(channel_id) if channel_id is not None else None
        if waiting:
            track = waiting.popleft()
            track.answered_at = request.time
            track.request = request.index
            self._changed()
            return
        if not self._pending_tracks:
            return
        text = request.raw.decode("utf-8", "replace")
        for track in self._pending_tracks:
            if track.marker is not None:
                hit = track.marker in text or (isinstance(request.body, dict) and track.marker
                                               in json.dumps(request.body, ensure_ascii=False))
            else:
                hit = channel_id is not None and track.channel_id == channel_id
            if hit:
                track.answered_at = request.time
                track.request = request.index
                self._pending_tracks.remove(track)
                self._changed()
                return

    def _interaction_member(self, user: dict, permissions: str) -> dict:
        return {"user": user, "roles": [], "permissions": permissions, "joined_at": iso_now(),
                "deaf": False, "mute": False, "flags": 0, "nick": None, "avatar": None}

    def _new_interaction(self, itype: int, data: dict, channel_id: str, guild_id: Any,
                         user: Optional[dict], permissions: str,
                         message: Optional[dict] = None,
                         created_ago: float = 0.0) -> Tuple[Interaction, dict]:
        if guild_id is ...:
            guild_id = self._channel_guild(channel_id)
        user = dict(user or DEFAULT_USER)
        interaction_id = self.snowflake(created_ago)
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload = {
            "id": interaction_id,
            "application_id": self.config.application_id,
            "type": itype,
            "data": data,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 0 if guild_id else 1},
            "token": token,
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id} if guild_id else {"1": user["id"]},
            "context": 0 if guild_id else 1,
            "attachment_size_limit": 10485760,
        }
        if guild_id:
            payload["guild_id"] = guild_id
            payload["guild_locale"] = "en-US"
            payload["member"] = self._interaction_member(user, permissions)
        else:
            payload["user"] = user
        if message is not None:
            payload["message"] = message
        interaction = Interaction(interaction_id, token, itype, channel_id, guild_id, user,
                                  payload, self.now(),
                                  message_id=message.get("id") if message else None)
        self.interactions[interaction_id] = interaction
        return interaction, payload

    async def slash_command(self, subcommand: Optional[str] = "create",
                            options: Optional[Dict[str, Any]] = None, *,
                            command_name: str = "tweetup", channel_id: str = DEFAULT_CHANNEL_ID,
                            guild_id: Any = ..., user: Optional[dict] = None,
                            permissions: str = "2248473465835073",
                            created_ago: float = 0.0) -> Interaction:
        """Dispatch INTERACTION_CREATE type 2 for `/tweetup <subcommand> name:value...`.
        Strings become option type 3, ints 4, bools 5. With `created_ago`, the interaction was
        made that many seconds before it is sent (as one read late by the bot, or replayed
        after a resume): its id says so, and R8's 3 s count from then."""
        def option(name: str, value: Any) -> dict:
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            return {"type": kind, "name": name, "value": value}
        leaf = [option(k, v) for k, v in (options or {}).items()]
        scope = command_name
        registered = None
        for scope_key in ([guild_id] if isinstance(guild_id, str) else []) + ["global"]:
            for command in self.commands.get(scope_key, []):
                if command["name"] == scope:
                    registered = command
        data: Dict[str, Any] = {
            "id": registered["id"] if registered else self.snowflake(),
            "name": command_name,
            "type": 1,
            "options": [{"type": 1, "name": subcommand, "options": leaf}] if subcommand else leaf,
        }
        if isinstance(guild_id, str):
            data["guild_id"] = guild_id
        interaction, payload = self._new_interaction(2, data, channel_id, guild_id, user,
                                                     permissions, created_ago=created_ago)
        # The 3 s of R8 start when Discord made it.
        interaction.dispatched_at = self.now() - created_ago
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def button_click(self, custom_id: str, message_id: str, *,
                           channel_id: Optional[str] = None, guild_id: Any = ...,
                           user: Optional[dict] = None,
                           permissions: str = "2248473465835073") -> Interaction:
        """Dispatch INTERACTION_CREATE type 3 for a click on the button `custom_id` of the
        stored message `message_id`."""
        stored = self.find_message(message_id)
        if channel_id is None:
            channel_id = stored.message["channel_id"] if stored else DEFAULT_CHANNEL_ID
        message = dict(stored.message) if stored else {"id": message_id,
                                                       "channel_id": channel_id}
        data = {"custom_id": custom_id, "component_type": 2}
        interaction, payload = self._new_interaction(3, data, channel_id, guild_id, user,
                                                     permissions, message)
        interaction.dispatched_at = self.now()
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _target(self, conn: Optional[GatewayConnection]) -> GatewayConnection:
        target = conn or self.open_connection()
        if target is None:
            raise RuntimeError("no open gateway connection")
        return target

    async def send_reconnect(self, conn: Optional[GatewayConnection] = None) -> None:
        """Op 7: the client should reconnect and resume (G9)."""
        await self._send(self._target(conn), {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def send_invalid_session(self, resumable: bool,
                                   conn: Optional[GatewayConnection] = None) -> None:
        """Op 9. d:false also ends the session server-side (G10)."""
        target = self._target(conn)
        session = target.session
        target.authenticated = False
        target.live = False
        if session is not None and session.connection is target:
            session.connection = None
            session.disconnected_at = self.now()
            if not resumable:
                self._invalidate(session, "op 9 d:false sent")
        await self._send(target, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def request_heartbeat(self, conn: Optional[GatewayConnection] = None) -> float:
        """Server op 1: the client must heartbeat at once (G5, L11). Returns the send time."""
        target = self._target(conn)
        target.pending_heartbeat_request = True
        now = self.now()
        target.heartbeat_requests.append(now)
        await self._send(target, {"op": OP_HEARTBEAT, "d": None, "s": None, "t": None})
        return now

    async def close_connection(self, code: int, reason: Optional[str] = None,
                               conn: Optional[GatewayConnection] = None) -> None:
        """Close with a close frame carrying `code`."""
        await self._server_close(self._target(conn), code, reason)

    async def drop_connection(self, conn: Optional[GatewayConnection] = None,
                              reset: bool = True) -> None:
        """End the TCP connection with no close frame (RST when `reset`)."""
        target = self._target(conn)
        target.ended_by = "dropped by server"
        transport = target.request.transport
        if transport is not None:
            if reset:
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        await self.wait_for(lambda: target.closed, 5.0, "the dropped connection to end")

    def set_heartbeat_ack(self, enabled: bool) -> None:
        """Stop (False) or resume (True) answering heartbeats with op 11, on every connection,
        including later ones (the zombie-connection scenario, G5)."""
        self.ack_heartbeats = enabled
        for conn in self.connections:
            conn.ack_heartbeats = enabled

    # ----- REST: plumbing ----------------------------------------------------------------

    def _route_table(self) -> List[Tuple[str, "re.Pattern[str]", str, Callable, bool, bool]]:
        s = r"(\d{1,20})"
        tok = r"([^/]+)"
        table = [
            ("GET", r"/gateway", "gateway", self._h_gateway, False, False),
            ("GET", r"/gateway/bot", "gateway.bot", self._h_gateway_bot, True, False),
            ("GET", r"/(?:oauth2/)?applications/@me", "application.me", self._h_application_me,
             True, False),
            ("GET", r"/users/@me", "users.me", self._h_users_me, True, False),
            ("POST", rf"/channels/{s}/messages", "messages.create", self._h_message_create, True,
             False),
            ("GET", rf"/channels/{s}/messages", "messages.get", self._h_message_list, True,
             False),
            ("GET", rf"/channels/{s}/messages/{s}", "messages.get", self._h_message_get, True,
             False),
            ("PATCH", rf"/channels/{s}/messages/{s}", "messages.edit", self._h_message_edit, True,
             False),
            ("DELETE", rf"/channels/{s}/messages/{s}", "messages.delete",
             self._h_message_delete, True, False),
            ("POST", rf"/interactions/{s}/{tok}/callback", "interaction.callback",
             self._h_interaction_callback, False, True),
            ("POST", rf"/webhooks/{s}/{tok}", "webhook", self._h_followup_create, False, True),
            ("GET", rf"/webhooks/{s}/{tok}/messages/(@original|\d{{1,20}})", "webhook",
             self._h_webhook_message_get, False, True),
            ("PATCH", rf"/webhooks/{s}/{tok}/messages/(@original|\d{{1,20}})", "webhook",
             self._h_webhook_message_edit, False, True),
            ("DELETE", rf"/webhooks/{s}/{tok}/messages/(@original|\d{{1,20}})", "webhook",
             self._h_webhook_message_delete, False, True),
            ("GET", rf"/applications/{s}/commands", "commands", self._h_commands_get, True,
             False),
            ("PUT", rf"/applications/{s}/commands", "commands", self._h_commands_put, True,
             False),
            ("POST", rf"/applications/{s}/commands", "commands", self._h_command_post, True,
             False),
            ("DELETE", rf"/applications/{s}/commands/{s}", "commands", self._h_command_delete,
             True, False),
            ("GET", rf"/applications/{s}/guilds/{s}/commands", "commands", self._h_commands_get,
             True, False),
            ("PUT", rf"/applications/{s}/guilds/{s}/commands", "commands", self._h_commands_put,
             True, False),
            ("POST", rf"/applications/{s}/guilds/{s}/commands", "commands",
             self._h_command_post, True, False),
            ("DELETE", rf"/applications/{s}/guilds/{s}/commands/{s}", "commands",
             self._h_command_delete, True, False),
            ("GET", rf"/guilds/{s}/scheduled-events", "scheduled_events", self._h_events_list,
             True, False),
            ("POST", rf"/guilds/{s}/scheduled-events", "scheduled_events", self._h_event_create,
             True, False),
            ("GET", rf"/guilds/{s}/scheduled-events/{s}", "scheduled_events", self._h_event_get,
             True, False),
            ("PATCH", rf"/guilds/{s}/scheduled-events/{s}", "scheduled_events",
             self._h_event_edit, True, False),
            ("DELETE", rf"/guilds/{s}/scheduled-events/{s}", "scheduled_events",
             self._h_event_delete, True, False),
        ]
        return [(m, re.compile(f"^{p}$"), fam, h, auth, inter) for m, p, fam, h, auth, inter
                in table]

    @staticmethod
    def _major(family: str, groups: Tuple[str, ...], route: str) -> str:
        """The top-level resource of R11: channel id, guild id, webhook id + token."""
        if family.startswith("messages."):
            return groups[0]
        if family == "webhook":
            return f"{groups[0]}/{groups[1]}"
        if family == "scheduled_events":
            return groups[0]
        if family == "commands":
            return groups[1] if "/guilds/" in route else ""
        return ""

    @staticmethod
    def bucket_hash(family: str) -> str:
        """The opaque X-RateLimit-Bucket of a route family (shared by its routes)."""
        return hashlib.sha1(f"emulator-bucket:{family}".encode()).hexdigest()[:32]

    def _response(self, rec: RestRequest, status: int, body: Any,
                  headers: Optional[Dict[str, str]] = None,
                  content_type: str = "application/json") -> web.Response:
        headers = dict(headers or {})
        rec.status = status
        rec.response = body
        rec.response_headers = headers
        rec.completed_at = self.now()
        if status in (401, 403) or (status == 429 and headers.get("X-RateLimit-Scope") != "shared"):
            self.invalid_requests += 1
        self._log(f"{rec.method} {rec.route} -> {status}")
        self._changed()
        if status == 204 or body is None:
            return web.Response(status=status, headers=headers)
        if content_type == "application/json":
            return web.Response(status=status, headers=headers,
                                text=json.dumps(body, ensure_ascii=False),
                                content_type="application/json")
        return web.Response(status=status, headers=headers, text=str(body),
                            content_type=content_type)

    def _rate_headers(self, family: str, state: dict, now: float, limit: RouteLimit) -> Dict[
            str, str]:
        reset_after = max(0.0, state["reset_at"] - now)
        return {
            "X-RateLimit-Limit": str(limit.limit),
            "X-RateLimit-Remaining": str(max(0, limit.limit - state["count"])),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket_hash(family),
        }

    def _bucket(self, family: str, major: str, now: float) -> Tuple[dict, RouteLimit]:
        limit = self.route_limits.get(family, RouteLimit(50, 1.0))
        state = self._buckets.setdefault((family, major), {"count": 0, "reset_at": 0.0,
                                                          "blocked_until": 0.0})
        if now >= state["reset_at"]:
            state["count"] = 0
            state["reset_at"] = now + limit.per
        return state, limit

    def _too_many(self, rec: RestRequest, retry_after: float, scope: str,
                  headers: Dict[str, str]) -> web.Response:
        headers = dict(headers)
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        headers["X-RateLimit-Scope"] = scope
        headers["Via"] = "1.1 google"
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        message = ("The resource is being rate limited." if scope == "shared"
                   else "You are being rate limited.")
        return self._response(rec, 429, {"message": message, "retry_after": round(retry_after, 3),
                                         "global": scope == "global"}, headers)

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        now = self.now()
        raw = await request.read()
        full = request.path
        route = full[len(API_PREFIX):] if full.startswith(API_PREFIX + "/") else full
        rec = RestRequest(len(self.requests), now, request.method, full, route,
                          dict(request.query), CIMultiDict(request.headers), raw)
        self.requests.append(rec)
        self._changed()
        try:
            response = await self._rest(rec)
        except HttpError as error:
            if error.violation:
                self._violation(error.violation, json.dumps(error.body), rec.index)
            response = self._response(rec, error.status, error.body, rec.rate_headers)
        except Exception:  # noqa: BLE001 - an emulator bug must fail the test, not hang it
            details = traceback.format_exc()
            print(f"[emulator] error handling {rec.method} {rec.path}:\n{details}",
                  file=sys.stderr, flush=True)
            self._violation("emulator_error", details, rec.index)
            response = self._response(rec, 500, json_error(0, "500: emulator error"))
        return await self._send_whole(request, response)

    @staticmethod
    async def _send_whole(request: web.Request, response: web.StreamResponse
                          ) -> web.StreamResponse:
        """Sends a response's head and body in one write, as a server that gathers a small
        response in one buffer does. aiohttp writes the head, then the body, each at once (Nagle
        is off), which the client would meet as two TCP segments and, over TLS, two records:
        - its kernel acknowledges a second segment at once instead of on its next request, and
          on loopback that acknowledgement runs this emulator's receive path on the client's CPU
          time, which the benchmarks measure;
        - it opens each record on its own, about 5,000 instructions each with OpenSSL 3.0.
        The transport's writes are gathered here until the response is complete."""
        transport = request.transport
        if response.prepared or transport is None:
            return response
        parts: List[bytes] = []
        transport.write = parts.append  # shadows the method on this transport alone
        try:
            await response.prepare(request)
            await response.write_eof()
        except OSError:
            pass  # the client went away: aiohttp's own attempt to send it ends quietly too
        finally:
            del transport.write
            if parts and not transport.is_closing():
                transport.write(b"".join(parts))
        return response

    async def _rest(self, rec: RestRequest) -> web.StreamResponse:
        now = rec.time
        if not rec.path.startswith(API_PREFIX + "/"):
            self._violation("api_version", f"{rec.method} {rec.path}: always put /api/v10 in "
                            "the path (R1)", rec.index)
            return self._response(rec, 404, json_error(0, "404: Not Found"))
        matched = None
        path_known = False
        for method, pattern, family, handler, needs_auth, interaction in self._routes:
            match = pattern.match(rec.route)
            if match:
                path_known = True
                if method == rec.method:
                    matched = (family, handler, needs_auth, interaction, match.groups())
                    break
        if matched is None:
            if path_known:
                self._violation("unknown_route", f"{rec.method} {rec.route}", rec.index)
                return self._response(rec, 405, json_error(0, "405: Method Not Allowed"))
            self._violation("unknown_route", f"{rec.method} {rec.route}", rec.index)
            return self._response(rec, 404, json_error(0, "404: Not Found"))
        family, handler, needs_auth, interaction, groups = matched
        rec.family = family
        rec.major = self._major(family, groups, rec.route)
        rec.interaction_endpoint = interaction

        # R2: authorization, user agent, content type.
        auth = rec.headers.get("Authorization")
        if auth is not None or needs_auth:
            if auth != f"Bot {self.config.token}":
                detail = ("missing Authorization" if auth is None else
                          "Authorization must be 'Bot <token>'" if not auth.startswith("Bot ")
                          else "wrong token")
                self._violation("authorization", f"{rec.method} {rec.route}: {detail} (R2)",
                                rec.index)
                self.unauthorized_seen = True
                return self._response(rec, 401, json_error(0, "401: Unauthorized"))
        agent = rec.headers.get("User-Agent", "")
        if not (agent.startswith("DiscordBot (") and ", " in agent and ")" in agent):
            self._violation("user_agent", f"User-Agent {agent!r} is not 'DiscordBot ($url, "
                            "$versionNumber)' (R2, L15)", rec.index)
        if rec.raw:
            content_type = rec.headers.get("Content-Type", "")
            if content_type.split(";")[0].strip().lower() != "application/json":
                self._violation("content_type", f"body sent as {content_type!r} (R2)", rec.index)
                return self._response(rec, 400, form_error([
                    ("", "CONTENT_TYPE_INVALID", "Expected \"Content-Type\" header to be one of "
                     "{'application/json', 'application/x-www-form-urlencoded', "
                     "'multipart/form-data'}.")]))
            try:
                rec.body = json.loads(rec.raw)
            except ValueError:
                self._violation("invalid_json", "body is not JSON", rec.index)
                return self._response(rec, 400, json_error(50109, "The request body contains "
                                                           "invalid JSON."))
        if self.unauthorized_seen and needs_auth and rec.index > 0:
            # Only 401s the client had already seen when it sent this request.
            earlier = [r for r in self.requests[:rec.index] if r.status == 401
                       and r.family is not None and not r.interaction_endpoint
                       and r.completed_at is not None and r.completed_at <= rec.time]
            if earlier:
                self._violation("request_after_401", f"{rec.method} {rec.route} after a 401: "
                                "stop once the token is invalid (R11)", rec.index)

        # R11 global limit: all requests except interaction endpoints.
        if not interaction:
            if now < self.global_pause_until:
                self._violation("global_rate_limit", f"{rec.method} {rec.route} during a global "
                                "rate limit (R11)", rec.index)
                return self._too_many(rec, self.global_pause_until - now, "global", {})
            window = self.config.global_window
            while self._global_times and self._global_times[0] <= now - window:
                self._global_times.popleft()
            if len(self._global_times) >= self.config.global_limit:
                retry = self._global_times[0] + window - now
                self.global_pause_until = now + retry
                self._violation("global_rate_limit", f"more than {self.config.global_limit} "
                                f"requests per {window} s (R11)", rec.index)
                return self._too_many(rec, retry, "global", {})
            self._global_times.append(now)

        # A bucket still blocked by an earlier 429 (natural or injected).
        per_route = family != "interaction.callback"
        if per_route:
            state, limit = self._bucket(family, rec.major, now)
            if now < state["blocked_until"]:
                self._violation("route_rate_limit", f"{rec.method} {rec.route} before the "
                                "retry_after of a 429 passed (R11)", rec.index)
                headers = self._rate_headers(family, state, now, limit)
                headers["X-RateLimit-Remaining"] = "0"
                return self._too_many(rec, state["blocked_until"] - now, "user", headers)

        # Fault injection.
        fault = self._take_fault(rec)
        after_status = None
        if fault is not None:
            rec.fault = fault.kind
            response = await self._apply_fault(rec, fault)
            if response is not None:
                return response
            if fault.kind == "after":
                after_status = fault.params.get("status", 502)

        # R11 per-route limit, keyed by bucket + major parameter.
        headers: Dict[str, str] = {}
        if per_route:
            state, limit = self._bucket(family, rec.major, self.now())
            now = self.now()
            if state["count"] >= limit.limit:
                self._violation("route_rate_limit", f"{rec.method} {rec.route}: bucket "
                                f"{family}:{rec.major} exhausted (R11)", rec.index)
                headers = self._rate_headers(family, state, now, limit)
                return self._too_many(rec, state["reset_at"] - now, "user", headers)
            state["count"] += 1
            headers = self._rate_headers(family, state, now, limit)
        rec.rate_headers = headers

        result = await handler(rec, *groups)
        status, body = result
        if after_status is not None:
            # "5xx after create": the work is done, the client only sees the error.
            return self._response(rec, after_status, json_error(0, f"{after_status}: "
                                                                 "Bad Gateway"), headers)
        return self._response(rec, status, body, headers)

    # ----- REST: fault injection ---------------------------------------------------------

    def inject_fault(self, method: str, path: str, kind: str, count: int = 1,
                     **params: Any) -> Fault:
        """Make the next `count` requests whose method is `method` ("*" for any) and whose
        route below /api/v10 matches the regex `path` (re.search) misbehave:
          kind="429": params retry_after (float s), scope "user" | "shared" | "global";
          kind="cloudflare_429": an HTML 429 without Via (params retry_after);
          kind="status": answer params status (500, 502, 503, 401, 403...) before doing
              anything, after params seconds (0 unless given); params code/message shape
              the JSON body;
          kind="after": do the work (create the message...) then answer params status (502);
          kind="delay": wait params seconds, then handle normally."""
        if kind not in ("429", "cloudflare_429", "status", "after", "delay"):
            raise ValueError(f"unknown fault kind {kind}")
        fault = Fault(method.upper(), re.compile(path), kind, count, params)
        self.faults.append(fault)
        return fault

    def _take_fault(self, rec: RestRequest) -> Optional[Fault]:
        for fault in self.faults:
            if fault.remaining > 0 and fault.method in ("*", rec.method) and fault.path.search(
                    rec.route):
                fault.remaining -= 1
                fault.hits.append(rec.index)
                return fault
        return None

    async def _apply_fault(self, rec: RestRequest, fault: Fault) -> Optional[web.Response]:
        params = fault.params
        now = self.now()
        if fault.kind == "delay":
            await asyncio.sleep(float(params.get("seconds", 1.0)))
            return None
        if fault.kind == "after":
            return None
        if fault.kind == "status":
            if "seconds" in params:  # Discord, too, may take its time to refuse
                await asyncio.sleep(float(params["seconds"]))
            status = int(params.get("status", 500))
            if status == 401:
                self.unauthorized_seen = True
                body = json_error(0, "401: Unauthorized")
            else:
                body = json_error(int(params.get("code", 0)),
                                  params.get("message", f"{status}: injected"))
            return self._response(rec, status, body)
        retry = float(params.get("retry_after", 1.0))
        if fault.kind == "cloudflare_429":
            return self._response(rec, 429, "<html><body>error code: 1015</body></html>",
                                  {"Retry-After": str(max(1, math.ceil(retry)))},
                                  content_type="text/html")
        scope = params.get("scope", "user")
        if scope == "global":
            self.global_pause_until = now + retry
            return self._too_many(rec, retry, "global", {})
        headers: Dict[str, str] = {}
        if rec.family is not None and rec.family != "interaction.callback":
            state, limit = self._bucket(rec.family, rec.major or "", now)
            state["blocked_until"] = now + retry
            headers = self._rate_headers(rec.family, state, now, limit)
            headers["X-RateLimit-Reset-After"] = f"{retry:.3f}"
            headers["X-RateLimit-Reset"] = f"{time.time() + retry:.3f}"
            if scope == "user":
                headers["X-RateLimit-Remaining"] = "0"
        return self._too_many(rec, retry, scope, headers)

    # ----- REST: gateway, application ----------------------------------------------------

    async def _h_gateway(self, rec: RestRequest) -> Tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    def _refill_session_starts(self, now: float) -> None:
        if self.session_start_resets_at is not None and now >= self.session_start_resets_at:
            self.session_start_remaining = self.config.session_start_total
            self.session_start_resets_at = None

    def use_up_session_starts(self, resets_in: float) -> None:
        """As if other runs of the bot had used every session start; the limit resets in
        `resets_in` seconds."""
        self.session_start_remaining = 0
        self.session_start_resets_at = self.now() + resets_in

    async def _h_gateway_bot(self, rec: RestRequest) -> Tuple[int, Any]:
        now = self.now()
        self._refill_session_starts(now)
        resets_in = (self.config.session_start_window if self.session_start_resets_at is None
                     else self.session_start_resets_at - now)
        return 200, {"url": self.gateway_url, "shards": self.config.shards,
                     "session_start_limit": {
            "total": self.config.session_start_total,
            "remaining": self.session_start_remaining,
            "reset_after": max(0, int(resets_in * 1000)),
            "max_concurrency": self.config.max_concurrency}}

    async def _h_application_me(self, rec: RestRequest) -> Tuple[int, Any]:
        return 200, {"id": self.config.application_id, "name": self.config.bot_username,
                     "description": "", "bot_public": True, "bot_require_code_grant": False,
                     "flags": self._application_flags(), "bot": self.bot_user,
                     "verify_key": "0" * 64}

    async def _h_users_me(self, rec: RestRequest) -> Tuple[int, Any]:
        return 200, self.bot_user

    # ----- REST: messages ----------------------------------------------------------------

    def _require_channel(self, channel_id: str) -> None:
        if channel_id not in self._channels:
            raise HttpError(404, json_error(10003, "Unknown Channel"), "unknown_channel")

    def _validate_message(self, body: Any, *, allowed_flags: int, edit: bool = False) -> List[
            Tuple[str, str, str]]:
        errors: List[Tuple[str, str, str]] = []
        if not isinstance(body, dict):
            return [("", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")]
        content = body.get("content")
        if content is not None:
            if not isinstance(content, str):
                errors.append(("content", "BASE_TYPE_STRING", "Must be a string."))
            elif len(content) > 2000:
                errors.append(("content", "BASE_TYPE_MAX_LENGTH",
                               "Must be 2000 or fewer in length."))
        embeds = body.get("embeds")
        if embeds is not None:
            errors.extend(self._validate_embeds(embeds))
        flags = body.get("flags")
        if flags is not None:
            if type(flags) is not int or flags & ~allowed_flags:
                errors.append(("flags", "MESSAGE_FLAGS_INVALID", f"Invalid flags {flags!r}."))
        components = body.get("components")
        if components is not None:
            v2 = isinstance(flags, int) and bool(flags & FLAG_IS_COMPONENTS_V2)
            errors.extend(self._validate_components(components, v2))
            if v2 and (body.get("content") or body.get("embeds")):
                errors.append(("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                               "The 'content' and 'embeds' fields cannot be used when using "
                               "MessageFlags.IS_COMPONENTS_V2"))
        if "nonce" in body and not edit:
            nonce = body["nonce"]
            if isinstance(nonce, str):
                if len(nonce) > 25:
                    errors.append(("nonce", "BASE_TYPE_MAX_LENGTH",
                                   "Must be 25 or fewer in length."))
            elif type(nonce) is not int or not -(2 ** 63) <= nonce < 2 ** 63:
                errors.append(("nonce", "BASE_TYPE_BAD_INT", "Invalid nonce."))
        if "enforce_nonce" in body and type(body["enforce_nonce"]) is not bool:
            errors.append(("enforce_nonce", "BASE_TYPE_BOOLEAN", "Must be either true or false."))
        if body.get("allowed_mentions") is not None:
            errors.extend(self._validate_allowed_mentions(body["allowed_mentions"]))
        reference = body.get("message_reference")
        if reference is not None and not edit:
            if not isinstance(reference, dict) or not is_snowflake(reference.get("message_id")):
                errors.append(("message_reference.message_id", "BASE_TYPE_REQUIRED",
                               "This field is required"))
        return errors

    @staticmethod
    def _validate_embeds(embeds: Any) -> List[Tuple[str, str, str]]:
        errors: List[Tuple[str, str, str]] = []
        if not isinstance(embeds, list):
            return [("embeds", "BASE_TYPE_LIST", "Must be an array.")]
        if len(embeds) > 10:
            errors.append(("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
        total = 0

        def text(path: str, value: Any, maximum: int, required: bool = False) -> int:
            if value is None:
                if required:
                    errors.append((path, "BASE_TYPE_REQUIRED", "This field is required"))
                return 0
            if not isinstance(value, str):
                errors.append((path, "BASE_TYPE_STRING", "Must be a string."))
                return 0
            if required and not value:
                errors.append((path, "BASE_TYPE_REQUIRED", "This field is required"))
            if len(value) > maximum:
                errors.append((path, "BASE_TYPE_MAX_LENGTH",
                               f"Must be {maximum} or fewer in length."))
            return len(value)

        for i, embed in enumerate(embeds if isinstance(embeds, list) else []):
            base = f"embeds.{i}"
            if not isinstance(embed, dict):
                errors.append((base, "DICT_TYPE_CONVERT", "Must be an object."))
                continue
            total += text(f"{base}.title", embed.get("title"), 256)
            total += text(f"{base}.description", embed.get("description"), 4096)
            fields = embed.get("fields")
            if fields is not None:
                if not isinstance(fields, list):
                    errors.append((f"{base}.fields", "BASE_TYPE_LIST", "Must be an array."))
                else:
                    if len(fields) > 25:
                        errors.append((f"{base}.fields", "BASE_TYPE_MAX_LENGTH",
                                       "Must be 25 or fewer in length."))
                    for j, field in enumerate(fields):
                        if not isinstance(field, dict):
                            errors.append((f"{base}.fields.{j}", "DICT_TYPE_CONVERT",
                                           "Must be an object."))
                            continue
                        total += text(f"{base}.fields.{j}.name", field.get("name"), 256, True)
                        total += text(f"{base}.fields.{j}.value", field.get("value"), 1024, True)
            footer = embed.get("footer")
            if footer is not None:
                total += text(f"{base}.footer.text", footer.get("text") if isinstance(
                    footer, dict) else None, 2048, True)
            author = embed.get("author")
            if author is not None:
                total += text(f"{base}.author.name", author.get("name") if isinstance(
                    author, dict) else None, 256, True)
            color = embed.get("color")
            if color is not None and (type(color) is not int or not 0 <= color <= 0xFFFFFF):
                errors.append((f"{base}.color", "NUMBER_TYPE_MAX", "Invalid color."))
            if embed.get("timestamp") is not None and parse_iso8601(embed["timestamp"]) is None:
                errors.append((f"{base}.timestamp", "DATE_TIME_TYPE_PARSE",
                               "Could not parse timestamp."))
        if total > 6000:
            errors.append(("embeds", "MAX_EMBED_SIZE_EXCEEDED",
                           "Embed size exceeds maximum size of 6000"))
        return errors

    @staticmethod
    def _validate_components(rows: Any, v2: bool) -> List[Tuple[str, str, str]]:
        errors: List[Tuple[str, str, str]] = []
        if not isinstance(rows, list):
            return [("components", "BASE_TYPE_LIST", "Must be an array.")]
        custom_ids: set = set()
        total = 0

        def check_custom_id(path: str, value: Any) -> None:
            if not isinstance(value, str) or not 1 <= len(value) <= 100:
                errors.append((path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in "
                               "length."))
            elif value in custom_ids:
                errors.append((path, "COMPONENT_CUSTOM_ID_DUPLICATED",
                               "Component custom id cannot be duplicated"))
            else:
                custom_ids.add(value)

        def check_button(path: str, button: dict) -> None:
            style = button.get("style")
            if style not in (1, 2, 3, 4, 5, 6):
                errors.append((f"{path}.style", "BASE_TYPE_CHOICES", "Value must be one of "
                               "(1, 2, 3, 4, 5, 6)."))
                return
            label = button.get("label")
            if label is not None and (not isinstance(label, str) or len(label) > 80):
                errors.append((f"{path}.label", "BASE_TYPE_MAX_LENGTH",
                               "Must be 80 or fewer in length."))
            if style in (1, 2, 3, 4):
                check_custom_id(f"{path}.custom_id", button.get("custom_id"))
                if "url" in button:
                    errors.append((f"{path}.url", "COMPONENT_INVALID_URL_FOR_STYLE",
                                   "A non-link button cannot have a url"))
            elif style == 5:
                if not isinstance(button.get("url"), str) or not button["url"]:
                    errors.append((f"{path}.url", "BASE_TYPE_REQUIRED", "This field is "
                                   "required"))
                if "custom_id" in button:
                    errors.append((f"{path}.custom_id", "COMPONENT_LINK_BUTTON_CUSTOM_ID",
                                   "A link button cannot have a custom_id"))
            else:
                if not is_snowflake(button.get("sku_id")):
                    errors.append((f"{path}.sku_id", "BASE_TYPE_REQUIRED", "This field is "
                                   "required"))
            if style != 6 and not label and not button.get("emoji"):
                errors.append((path, "BUTTON_COMPONENT_REQUIRES_LABEL_OR_EMOJI",
                               "A button must have a label or an emoji"))

        def check_select(path: str, select: dict) -> None:
            check_custom_id(f"{path}.custom_id", select.get("custom_id"))
            if select.get("type") == 3:
                options = select.get("options")
                if not isinstance(options, list) or not 1 <= len(options) <= 25:
                    errors.append((f"{path}.options", "BASE_TYPE_BAD_LENGTH",
                                   "Must be between 1 and 25 in length."))

        if v2:
            def count(items: Any) -> int:
                n = 0
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict):
                        n += 1 + count(item.get("components")) + (
                            1 if isinstance(item.get("accessory"), dict) else 0)
                return n
            if count(rows) > 40:
                errors.append(("components", "BASE_TYPE_MAX_LENGTH",
                               "Must be 40 or fewer in total."))
            return errors
        if len(rows) > 5:
            errors.append(("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
        for i, row in enumerate(rows):
            path = f"components.{i}"
            if not isinstance(row, dict) or row.get("type") != 1:
                errors.append((f"{path}.type", "UNION_TYPE_CHOICES", "Top-level components "
                               "must be action rows (type 1)."))
                continue
            children = row.get("components")
            if not isinstance(children, list) or not 1 <= len(children) <= 5:
                errors.append((f"{path}.components", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 5 in length."))
                continue
            total += 1 + len(children)
            kinds = {c.get("type") if isinstance(c, dict) else None for c in children}
            if kinds - {2} and len(children) > 1:
                errors.append((f"{path}.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                               "A select menu must be alone in its action row."))
            for j, child in enumerate(children):
                cpath = f"{path}.components.{j}"
                if not isinstance(child, dict):
                    errors.append((cpath, "DICT_TYPE_CONVERT", "Must be an object."))
                elif child.get("type") == 2:
                    check_button(cpath, child)
                elif child.get("type") in (3, 5, 6, 7, 8):
                    check_select(cpath, child)
                else:
                    errors.append((f"{cpath}.type", "UNION_TYPE_CHOICES", "Value of field "
                                   "\"type\" must be one of (2, 3, 5, 6, 7, 8)."))
        if total > 40:
            errors.append(("components", "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in total."))
        return errors

    @staticmethod
    def _validate_allowed_mentions(allowed: Any) -> List[Tuple[str, str, str]]:
        path = "allowed_mentions"
        if not isinstance(allowed, dict):
            return [(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")]
        errors: List[Tuple[str, str, str]] = []
        parse = allowed.get("parse", [])
        if not isinstance(parse, list) or any(p not in ("users", "roles", "everyone")
                                               for p in parse):
            errors.append((f"{path}.parse", "BASE_TYPE_CHOICES", "Value must be one of "
                           "('roles', 'users', 'everyone')."))
            parse = []
        for kind in ("users", "roles"):
            if kind in allowed:
                ids = allowed[kind]
                if not isinstance(ids, list) or len(ids) > 100 or not all(
                        is_snowflake(x) for x in ids):
                    errors.append((f"{path}.{kind}", "BASE_TYPE_MAX_LENGTH",
                                   "Must be a list of at most 100 snowflakes."))
                if kind in parse:
                    # R5: a type in parse and an explicit list of that type are exclusive.
                    errors.append((path, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                                   f"parse:[\"{kind}\"] and {kind}: [ids] are mutually "
                                   "exclusive."))
        if "replied_user" in allowed and type(allowed["replied_user"]) is not bool:
            errors.append((f"{path}.replied_user", "BASE_TYPE_BOOLEAN",
                           "Must be either true or false."))
        return errors

    def _pings(self, content: str, allowed: Optional[dict], default_parse: List[str],
               reply_author: Optional[str]) -> dict:
        """Who the message notifies, given allowed_mentions (R5). Mentions in embeds never
        ping."""
        users = list(dict.fromkeys(USER_MENTION_RE.findall(content or "")))
        roles = list(dict.fromkeys(ROLE_MENTION_RE.findall(content or "")))
        everyone = "@everyone" in (content or "") or "@here" in (content or "")
        if allowed is None:
            parse, allowed_users, allowed_roles, replied = default_parse, [], [], False
        else:
            parse = allowed.get("parse", [])
            allowed_users = allowed.get("users", [])
            allowed_roles = allowed.get("roles", [])
            replied = bool(allowed.get("replied_user", False))
        return {
            "users": users if "users" in parse else [u for u in users if u in allowed_users],
            "roles": roles if "roles" in parse else [r for r in roles if r in allowed_roles],
            "everyone": everyone and "everyone" in parse,
            "replied_user": reply_author if replied else None,
        }

    def _build_message(self, channel_id: str, body: dict, pings: dict, *, flags: int = 0,
                       reference: Optional[dict] = None,
                       interaction: Optional[Interaction] = None) -> dict:
        mentioned = list(pings["users"])
        if pings["replied_user"] and pings["replied_user"] not in mentioned:
            mentioned.append(pings["replied_user"])
        message = {
            "id": self.snowflake(),
            "type": 19 if reference else (20 if interaction and interaction.type == 2 else 0),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": pings["everyone"],
            "mentions": [{"id": u} for u in mentioned],
            "mention_roles": pings["roles"],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": flags,
        }
        guild_id = self._channel_guild(channel_id)
        if guild_id is not None:
            message["guild_id"] = guild_id
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        if reference:
            message["message_reference"] = dict(reference, channel_id=channel_id, type=0)
            if guild_id is not None:
                message["message_reference"].setdefault("guild_id", guild_id)
            target = self.find_message(reference["message_id"])
            if target is not None:
                message["referenced_message"] = target.message
        if interaction is not None:
            message["webhook_id"] = self.config.application_id
            message["application_id"] = self.config.application_id
            message["interaction_metadata"] = {"id": interaction.id, "type": interaction.type,
                                               "user": interaction.user}
        return message

    async def _echo(self, t: str, message: dict) -> None:
        if self.config.echo_own_messages and not message.get("flags", 0) & FLAG_EPHEMERAL:
            await self.dispatch(t, message)

    async def _h_message_create(self, rec: RestRequest, channel_id: str) -> Tuple[int, Any]:
        self._require_channel(channel_id)
        body = rec.body
        errors = self._validate_message(body, allowed_flags=CREATE_MESSAGE_FLAGS)
        if errors:
            raise HttpError(400, form_error(errors), "invalid_body")
        if not any([body.get("content"), body.get("embeds"), body.get("components"),
                    body.get("sticker_ids"), body.get("poll"), body.get("attachments")]):
            raise HttpError(400, json_error(50006, "Cannot send an empty message"),
                            "empty_message")
        now = self.now()
        nonce = body.get("nonce")
        nonce_key = (channel_id, json.dumps(nonce)) if nonce is not None else None
        if nonce_key is not None and body.get("enforce_nonce") is True:
            known = self._nonces.get(nonce_key)
            if known is not None and now - known[1] <= self.config.nonce_window:
                existing = self.find_message(known[0])
                if existing is not None:
                    # R4: the same message again; nothing new is created.
                    return 200, existing.message
        reference = body.get("message_reference")
        reply_author = None
        if reference is not None:
            target = self.find_message(reference["message_id"])
            if target is None or target.message["channel_id"] != reference.get(
                    "channel_id", channel_id):
                if reference.get("fail_if_not_exists", True):
                    raise HttpError(400, form_error([(
                        "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message")]), "unknown_reply_target")
                reference = None
            else:
                reply_author = target.message["author"]["id"]
        pings = self._pings(body.get("content") or "", body.get("allowed_mentions"),
                            ["users", "roles", "everyone"], reply_author)
        message = self._build_message(channel_id, body, pings, flags=body.get("flags") or 0,
                                      reference=reference)
        stored = StoredMessage(message, pings, "rest", now, rec.index, nonce)
        self._store_message(channel_id, stored)
        if nonce_key is not None:
            self._nonces[nonce_key] = (message["id"], now)
        self._match_tracks(rec, channel_id)
        self._changed()
        await self._echo("MESSAGE_CREATE", message)
        return 200, message

    def _channel_message(self, channel_id: str, message_id: str) -> StoredMessage:
        self._require_channel(channel_id)
        for message in self.messages.get(channel_id, []):
            if message.id == message_id and not message.deleted:
                return message
        raise HttpError(404, json_error(10008, "Unknown Message"), "unknown_message")

    async def _h_message_list(self, rec: RestRequest, channel_id: str) -> Tuple[int, Any]:
        self._require_channel(channel_id)
        limit = int(rec.query.get("limit", "50"))
        live = [m.message for m in self.messages.get(channel_id, []) if not m.deleted
                and not m.ephemeral]
        return 200, list(reversed(live))[:max(1, min(limit, 100))]

    async def _h_message_get(self, rec: RestRequest, channel_id: str,
                             message_id: str) -> Tuple[int, Any]:
        return 200, self._channel_message(channel_id, message_id).message

    def _edit(self, stored: StoredMessage, body: Any, allowed_flags: int,
              default_parse: List[str]) -> dict:
        errors = self._validate_message(body, allowed_flags=allowed_flags, edit=True)
        if errors:
            raise HttpError(400, form_error(errors), "invalid_body")
        updated = dict(stored.message)
        for key in ("content", "embeds", "components"):
            if key in body:
                updated[key] = body[key] if body[key] is not None else ("" if key == "content"
                                                                        else [])
        if "flags" in body and body["flags"] is not None:
            # An existing message's ephemeral state cannot change (receiving-and-responding.mdx,
            # Create Followup Message).
            updated["flags"] = (stored.message.get("flags", 0) & FLAG_EPHEMERAL) | (
                body["flags"] & ~FLAG_EPHEMERAL)
        updated["flags"] = updated.get("flags", 0) & ~FLAG_LOADING
        if not (updated.get("content") or updated.get("embeds") or updated.get("components")):
            raise HttpError(400, json_error(50006, "Cannot send an empty message"),
                            "empty_message")
        if "content" in body or "allowed_mentions" in body:
            pings = self._pings(updated.get("content", ""), body.get("allowed_mentions"),
                                default_parse, None)
            stored.pings = pings
            updated["mention_everyone"] = pings["everyone"]
            updated["mentions"] = [{"id": u} for u in pings["users"]]
            updated["mention_roles"] = pings["roles"]
        updated["edited_timestamp"] = iso_now()
        stored.edits.append(stored.message)
        stored.message = updated
        self._changed()
        return updated

    async def _h_message_edit(self, rec: RestRequest, channel_id: str,
                              message_id: str) -> Tuple[int, Any]:
        stored = self._channel_message(channel_id, message_id)
        if not stored.by_bot:
            raise HttpError(403, json_error(50005, "Cannot edit a message authored by another "
                                            "user"), "edit_foreign_message")
        updated = self._edit(stored, rec.body or {}, CREATE_MESSAGE_FLAGS,
                             ["users", "roles", "everyone"])
        await self._echo("MESSAGE_UPDATE", updated)
        return 200, updated

    async def _h_message_delete(self, rec: RestRequest, channel_id: str,
                                message_id: str) -> Tuple[int, Any]:
        stored = self._channel_message(channel_id, message_id)
        stored.deleted = True
        self._changed()
        delete = {"id": message_id, "channel_id": channel_id}
        if self._channel_guild(channel_id):
            delete["guild_id"] = self._channel_guild(channel_id)
        await self._echo("MESSAGE_DELETE", delete)
        return 204, None

    # ----- REST: interactions and their webhooks -----------------------------------------

    def _interaction_message(self, interaction: Interaction, body: Any, *, source: str,
                             rec: RestRequest, loading: bool = False) -> StoredMessage:
        flags = (body.get("flags") or 0) if isinstance(body, dict) else 0
        pings = self._pings(body.get("content") or "" if isinstance(body, dict) else "",
                            body.get("allowed_mentions") if isinstance(body, dict) else None,
                            ["users"], None)
        if loading:
            flags |= FLAG_LOADING
        message = self._build_message(interaction.channel_id, body if isinstance(body, dict)
                                      else {}, pings, flags=flags, interaction=interaction)
        stored = StoredMessage(message, pings, source, self.now(), rec.index,
                               ephemeral=bool(flags & FLAG_EPHEMERAL),
                               interaction_id=interaction.id)
        self._store_message(interaction.channel_id, stored)
        self._match_tracks(rec, interaction.channel_id)
        self._changed()
        return stored

    async def _h_interaction_callback(self, rec: RestRequest, interaction_id: str,
                                      token: str) -> Tuple[int, Any]:
        now = rec.time
        interaction = self.interactions.get(interaction_id)
        if interaction is None or interaction.token != token:
            raise HttpError(404, json_error(10062, "Unknown interaction"), "unknown_interaction")
        elapsed = now - interaction.dispatched_at
        attempt = {"time": now, "elapsed": elapsed, "request": rec.index, "body": rec.body}
        interaction.callbacks.append(attempt)
        self._changed()
        if interaction.acked:
            attempt["status"] = 400
            raise HttpError(400, json_error(40060, "Interaction has already been acknowledged."),
                            "interaction_double_ack" if interaction.ack_seen else None)
        if elapsed > self.config.interaction_deadline:
            attempt["status"] = 404
            raise HttpError(404, json_error(10062, "Unknown interaction"),
                            "interaction_deadline")
        body = rec.body
        if not isinstance(body, dict) or type(body.get("type")) is not int:
            raise HttpError(400, form_error([("type", "BASE_TYPE_REQUIRED",
                                              "This field is required")]), "invalid_body")
        ctype = body["type"]
        allowed = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(
            interaction.type, set())
        if ctype not in allowed:
            raise HttpError(400, form_error([("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                                              f"Callback type {ctype} is not valid for "
                                              f"interaction type {interaction.type}.")]),
                            "invalid_body")
        data = body.get("data")
        if data is not None and not isinstance(data, dict):
            raise HttpError(400, form_error([("data", "DICT_TYPE_CONVERT", "Must be an "
                                              "object.")]), "invalid_body")
        data = data or {}
        if ctype in (4, 7):
            errors = [(f"data.{p}" if p else "data", c, m) for p, c, m in self._validate_message(
                data, allowed_flags=INTERACTION_MESSAGE_FLAGS, edit=ctype == 7)]
            if errors:
                raise HttpError(400, form_error(errors), "invalid_body")
        if ctype == 4 and not (data.get("content") or data.get("embeds") or data.get(
                "components") or data.get("poll")):
            raise HttpError(400, json_error(50006, "Cannot send an empty message"),
                            "empty_message")
        if ctype == 5 and data.get("flags") is not None and data["flags"] & ~FLAG_EPHEMERAL:
            raise HttpError(400, form_error([("data.flags", "MESSAGE_FLAGS_INVALID",
                                              "Only EPHEMERAL may be set.")]), "invalid_body")
        if ctype == 9 and not (isinstance(data.get("custom_id"), str) and isinstance(
                data.get("title"), str) and isinstance(data.get("components"), list)):
            raise HttpError(400, form_error([("data", "BASE_TYPE_REQUIRED", "A modal needs "
                                              "custom_id, title and components.")]),
                            "invalid_body")
        interaction.acked = True
        interaction.ack_seen = rec.fault != "after"
        interaction.ack_type = ctype
        interaction.ack_at = now
        interaction.ack_elapsed = elapsed
        attempt["status"] = 204
        echo: Optional[Tuple[str, dict]] = None
        if ctype == 4:
            stored = self._interaction_message(interaction, data, source="interaction", rec=rec)
            interaction.original_message_id = stored.id
            interaction.ephemeral_original = stored.ephemeral
            echo = ("MESSAGE_CREATE", stored.message)
        elif ctype == 5:
            stored = self._interaction_message(interaction, data, source="interaction", rec=rec,
                                               loading=True)
            interaction.original_message_id = stored.id
            interaction.ephemeral_original = stored.ephemeral
            echo = ("MESSAGE_CREATE", stored.message)
        elif ctype in (6, 7):
            interaction.original_message_id = interaction.message_id
            if ctype == 7:
                target = self.find_message(interaction.message_id or "")
                if target is None:
                    raise HttpError(404, json_error(10008, "Unknown Message"), "unknown_message")
                updated = self._edit(target, data, INTERACTION_MESSAGE_FLAGS, ["users"])
                self._match_tracks(rec, interaction.channel_id)
                echo = ("MESSAGE_UPDATE", updated)
        self._changed()
        if echo is not None:
            await self._echo(*echo)
        if rec.query.get("with_response") == "true":
            resource: Dict[str, Any] = {"type": ctype}
            original = self.find_message(interaction.original_message_id or "")
            if original is not None and ctype in (4, 7):
                resource["message"] = original.message
            return 200, {"interaction": {"id": interaction.id, "type": interaction.type,
                                         "response_message_id": interaction.original_message_id,
                                         "response_message_loading": ctype == 5,
                                         "response_message_ephemeral":
                                             interaction.ephemeral_original},
                         "resource": resource}
        return 204, None

    def _webhook_interaction(self, rec: RestRequest, app_id: str, token: str) -> Interaction:
        if app_id != self.config.application_id:
            raise HttpError(404, json_error(10015, "Unknown Webhook"), "unknown_webhook")
        for interaction in self.interactions.values():
            if interaction.token == token:
                age = rec.time - interaction.dispatched_at
                # R8: a missed 3 s deadline invalidates the token; otherwise it lives 15 min.
                if (not interaction.acked and age > self.config.interaction_deadline) or (
                        age > self.config.interaction_token_ttl):
                    raise HttpError(401, json_error(50027, "Invalid Webhook Token"),
                                    "interaction_token_expired")
                return interaction
        raise HttpError(401, json_error(50027, "Invalid Webhook Token"), "unknown_webhook")

    def _webhook_message(self, interaction: Interaction, message_ref: str) -> StoredMessage:
        if message_ref == "@original":
            if not interaction.acked or interaction.original_message_id is None:
                raise HttpError(404, json_error(10008, "Unknown Message"),
                                "original_before_initial_response")
            message_ref = interaction.original_message_id
        elif message_ref not in interaction.followup_ids:
            raise HttpError(404, json_error(10008, "Unknown Message"), "unknown_message")
        stored = self.find_message(message_ref)
        if stored is None or stored.deleted:
            raise HttpError(404, json_error(10008, "Unknown Message"), "unknown_message")
        return stored

    async def _h_followup_create(self, rec: RestRequest, app_id: str,
                                 token: str) -> Tuple[int, Any]:
        interaction = self._webhook_interaction(rec, app_id, token)
        if not interaction.acked:
            raise HttpError(404, json_error(10015, "Unknown Webhook"),
                            "followup_before_initial_response")
        body = rec.body
        errors = self._validate_message(body, allowed_flags=INTERACTION_MESSAGE_FLAGS)
        if errors:
            raise HttpError(400, form_error(errors), "invalid_body")
        if not (body.get("content") or body.get("embeds") or body.get("components")
                or body.get("poll")):
            raise HttpError(400, json_error(50006, "Cannot send an empty message"),
                            "empty_message")
        loading_original = self.find_message(interaction.original_message_id or "")
        if interaction.ack_type == 5 and loading_original is not None and (
                loading_original.message.get("flags", 0) & FLAG_LOADING):
            # After a deferral the first follow-up fills in the original response.
            updated = self._edit(loading_original, body, INTERACTION_MESSAGE_FLAGS, ["users"])
            self._match_tracks(rec, interaction.channel_id)
            await self._echo("MESSAGE_UPDATE", updated)
            return 200, updated
        stored = self._interaction_message(interaction, body, source="followup", rec=rec)
        interaction.followup_ids.append(stored.id)
        await self._echo("MESSAGE_CREATE", stored.message)
        return 200, stored.message

    async def _h_webhook_message_get(self, rec: RestRequest, app_id: str, token: str,
                                     message_ref: str) -> Tuple[int, Any]:
        interaction = self._webhook_interaction(rec, app_id, token)
        return 200, self._webhook_message(interaction, message_ref).message

    async def _h_webhook_message_edit(self, rec: RestRequest, app_id: str, token: str,
                                      message_ref: str) -> Tuple[int, Any]:
        interaction = self._webhook_interaction(rec, app_id, token)
        stored = self._webhook_message(interaction, message_ref)
        updated = self._edit(stored, rec.body or {}, INTERACTION_MESSAGE_FLAGS, ["users"])
        self._match_tracks(rec, interaction.channel_id)
        await self._echo("MESSAGE_UPDATE", updated)
        return 200, updated

    async def _h_webhook_message_delete(self, rec: RestRequest, app_id: str, token: str,
                                        message_ref: str) -> Tuple[int, Any]:
        interaction = self._webhook_interaction(rec, app_id, token)
        stored = self._webhook_message(interaction, message_ref)
        stored.deleted = True
        self._changed()
        return 204, None

    # ----- REST: application commands ----------------------------------------------------

    def _command_scope(self, app_id: str, guild_id: Optional[str]) -> str:
        if app_id != self.config.application_id:
            raise HttpError(403, json_error(20012, "You are not authorized to perform this "
                                            "action on this application"), "wrong_application")
        if guild_id is None:
            return "global"
        if guild_id not in {g["id"] for g in self.config.guilds}:
            raise HttpError(404, json_error(10004, "Unknown Guild"), "unknown_guild")
        return guild_id

    @staticmethod
    def _validate_options(options: Any, path: str, depth: int,
                          errors: List[Tuple[str, str, str]]) -> None:
        if not isinstance(options, list):
            errors.append((path, "BASE_TYPE_LIST", "Must be an array."))
            return
        if len(options) > 25:
            errors.append((path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        seen_optional = False
        names: set = set()
        kinds = set()
        for i, option in enumerate(options):
            opath = f"{path}.{i}"
            if not isinstance(option, dict):
                errors.append((opath, "DICT_TYPE_CONVERT", "Must be an object."))
                continue
            otype = option.get("type")
            kinds.add(otype)
            if otype not in range(1, 12):
                errors.append((f"{opath}.type", "BASE_TYPE_CHOICES", "Value must be 1..11."))
                continue
            name = option.get("name")
            if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != \
                    name.lower():
                errors.append((f"{opath}.name", "APPLICATION_COMMAND_INVALID_NAME",
                               "Command name is invalid"))
            elif name in names:
                errors.append((f"{opath}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                               "Option names must be unique"))
            else:
                names.add(name)
            description = option.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 100:
                errors.append((f"{opath}.description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length."))
            if otype in (1, 2):
                if otype == 2 and depth > 0 or otype == 1 and depth > 1:
                    errors.append((f"{opath}.type", "APPLICATION_COMMAND_OPTION_INVALID_NESTING",
                                   "Sub-command groups hold sub-commands; nothing nests deeper."))
                sub = option.get("options", [])
                if otype == 2 and any(isinstance(o, dict) and o.get("type") != 1
                                      for o in (sub if isinstance(sub, list) else [])):
                    errors.append((f"{opath}.options", "APPLICATION_COMMAND_OPTION_INVALID_NESTING",
                                   "A sub-command group holds only sub-commands."))
                DiscordEmulator._validate_options(sub, f"{opath}.options", depth + 1, errors)
                continue
            required = option.get("required", False)
            if type(required) is not bool:
                errors.append((f"{opath}.required", "BASE_TYPE_BOOLEAN",
                               "Must be either true or false."))
            elif required and seen_optional:
                errors.append((opath, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                               "Required options must be placed before non-required options"))
            elif not required:
                seen_optional = True
            choices = option.get("choices")
            if choices is not None:
                if otype not in (3, 4, 10) or not isinstance(choices, list) or len(choices) > 25:
                    errors.append((f"{opath}.choices", "BASE_TYPE_MAX_LENGTH",
                                   "At most 25 choices, for string/integer/number options."))
                else:
                    for j, choice in enumerate(choices):
                        cname = choice.get("name") if isinstance(choice, dict) else None
                        if not isinstance(cname, str) or not 1 <= len(cname) <= 100 or (
                                "value" not in choice):
                            errors.append((f"{opath}.choices.{j}", "BASE_TYPE_BAD_LENGTH",
                                           "A choice needs a name of 1-100 and a value."))
        if len(kinds & {1, 2}) and len(kinds - {1, 2}):
            errors.append((path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                           "Sub-commands cannot be mixed with other option types."))

    def _validate_command(self, command: Any, path: str) -> List[Tuple[str, str, str]]:
        errors: List[Tuple[str, str, str]] = []
        if not isinstance(command, dict):
            return [(path, "DICT_TYPE_CONVERT", "Must be an object.")]
        prefix = f"{path}." if path else ""
        ctype = command.get("type", 1)
        if ctype not in (1, 2, 3, 4):
            errors.append((f"{prefix}type", "BASE_TYPE_CHOICES", "Value must be one of "
                           "(1, 2, 3, 4)."))
        name = command.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            errors.append((f"{prefix}name", "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 32 in length."))
        elif ctype == 1 and (not COMMAND_NAME_RE.match(name) or name != name.lower()):
            errors.append((f"{prefix}name", "APPLICATION_COMMAND_INVALID_NAME",
                           "Command name is invalid"))
        description = command.get("description", "")
        if ctype == 1:
            if not isinstance(description, str) or not 1 <= len(description) <= 100:
                errors.append((f"{prefix}description", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length."))
            if "options" in command:
                self._validate_options(command["options"], f"{prefix}options", 0, errors)
        elif description or command.get("options"):
            errors.append((f"{prefix}description", "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                           "User and message commands take no description or options."))
        return errors

    def _command_object(self, command: dict, scope: str, existing: Optional[dict]) -> dict:
        result = {
            "id": existing["id"] if existing else self.snowflake(),
            "application_id": self.config.application_id,
            "version": self.snowflake(),
            "type": command.get("type", 1),
            "name": command["name"],
            "description": command.get("description", ""),
            "options": command.get("options", []),
            "default_member_permissions": command.get("default_member_permissions"),
            "nsfw": command.get("nsfw", False),
        }
        for key in ("contexts", "integration_types", "dm_permission", "name_localizations",
                    "description_localizations"):
            if key in command:
                result[key] = command[key]
        if scope != "global":
            result["guild_id"] = scope
        if existing and self._command_definition(existing) == self._command_definition(result):
            result["version"] = existing["version"]
        return result

    @staticmethod
    def _command_definition(command: dict) -> str:
        keys = ("type", "name", "description", "options", "default_member_permissions", "nsfw",
                "contexts", "integration_types", "dm_permission", "name_localizations",
                "description_localizations")
        return json.dumps({k: command.get(k) for k in keys if command.get(k) is not None},
                          sort_keys=True)

    def _count_creates(self, scope: str, new: int) -> None:
        key = (scope, dt.date.today().isoformat())
        if self.command_creates[key] + new > 200:
            raise HttpError(429, {"message": "Max number of daily application command creates "
                                  "has been reached (200)", "code": 30034,
                                  "retry_after": 3600.0, "global": False},
                            "command_create_limit")
        self.command_creates[key] += new

    async def _h_commands_get(self, rec: RestRequest, app_id: str,
                              guild_id: Optional[str] = None) -> Tuple[int, Any]:
        return 200, self.commands.get(self._command_scope(app_id, guild_id), [])

    async def _h_commands_put(self, rec: RestRequest, app_id: str,
                              guild_id: Optional[str] = None) -> Tuple[int, Any]:
        scope = self._command_scope(app_id, guild_id)
        body = rec.body
        if not isinstance(body, list):
            raise HttpError(400, form_error([("", "BASE_TYPE_LIST", "Must be an array.")]),
                            "invalid_body")
        errors: List[Tuple[str, str, str]] = []
        for i, command in enumerate(body):
            errors.extend(self._validate_command(command, str(i)))
        seen = set()
        for i, command in enumerate(body):
            if isinstance(command, dict):
                key = (command.get("type", 1), command.get("name"))
                if key in seen:
                    errors.append((f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                   "Application command names must be unique"))
                seen.add(key)
        if sum(1 for c in body if isinstance(c, dict) and c.get("type", 1) == 1) > 100:
            errors.append(("", "BASE_TYPE_MAX_LENGTH", "At most 100 chat input commands."))
        if errors:
            raise HttpError(400, form_error(errors), "invalid_body")
        old = {(c["type"], c["name"]): c for c in self.commands.get(scope, [])}
        new_names = [c for c in body if (c.get("type", 1), c["name"]) not in old]
        # R9: only commands that did not exist before count toward the daily create limit.
        self._count_creates(scope, len(new_names))
        result = [self._command_object(c, scope, old.get((c.get("type", 1), c["name"])))
                  for c in body]
        unchanged = (len(result) == len(old) and all(
            (c["type"], c["name"]) in old and self._command_definition(c) ==
            self._command_definition(old[(c["type"], c["name"])]) for c in result))
        self.command_puts[scope] += 1
        if unchanged:
            self.command_unchanged_puts[scope] += 1
        self.commands[scope] = result
        self._changed()
        return 200, result

    async def _h_command_post(self, rec: RestRequest, app_id: str,
                              guild_id: Optional[str] = None) -> Tuple[int, Any]:
        scope = self._command_scope(app_id, guild_id)
        errors = self._validate_command(rec.body, "")
        if errors:
            raise HttpError(400, form_error(errors), "invalid_body")
        commands = self.commands.setdefault(scope, [])
        key = (rec.body.get("type", 1), rec.body["name"])
        existing = next((c for c in commands if (c["type"], c["name"]) == key), None)
        if existing is None:
            self._count_creates(scope, 1)
        command = self._command_object(rec.body, scope, existing)
        if existing is not None:
            commands[commands.index(existing)] = command
        else:
            commands.append(command)
        self._changed()
        return (200 if existing else 201), command

    async def _h_command_delete(self, rec: RestRequest, app_id: str, *ids: str) -> Tuple[int, Any]:
        guild_id = ids[0] if len(ids) == 2 else None
        scope = self._command_scope(app_id, guild_id)
        command_id = ids[-1]
        commands = self.commands.get(scope, [])
        for command in commands:
            if command["id"] == command_id:
                commands.remove(command)
                self._changed()
                return 204, None
        raise HttpError(404, json_error(10063, "Unknown application command"),
                        "unknown_command")

    # ----- REST: guild scheduled events (R10) --------------------------------------------

    def _require_guild(self, guild_id: str) -> None:
        if guild_id not in {g["id"] for g in self.config.guilds}:
            raise HttpError(404, json_error(10004, "Unknown Guild"), "unknown_guild")

    def _validate_event(self, merged: dict, body: dict, creating: bool,
                        previous_type: Optional[int]) -> List[Tuple[str, str, str]]:
        errors: List[Tuple[str, str, str]] = []
        name = merged.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.append(("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in "
                           "length."))
        if merged.get("privacy_level") != 2:
            errors.append(("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of (2,)."))
        description = merged.get("description")
        if description is not None and (not isinstance(description, str)
                                        or len(description) > 1000):
            errors.append(("description", "BASE_TYPE_MAX_LENGTH",
                           "Must be 1000 or fewer in length."))
        etype = merged.get("entity_type")
        if etype not in (1, 2, 3):
            errors.append(("entity_type", "BASE_TYPE_CHOICES", "Value must be one of "
                           "(1, 2, 3)."))
        start = parse_iso8601(merged.get("scheduled_start_time"))
        if start is None:
            errors.append(("scheduled_start_time", "DATE_TIME_TYPE_PARSE",
                           "Could not parse scheduled_start_time."))
        end_raw = merged.get("scheduled_end_time")
        end = parse_iso8601(end_raw) if end_raw is not None else None
        if end_raw is not None and end is None:
            errors.append(("scheduled_end_time", "DATE_TIME_TYPE_PARSE",
                           "Could not parse scheduled_end_time."))
        if start is not None and end is not None and end <= start:
            errors.append(("scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                           "The end time must be after the start time."))
        if etype == 3:
            # R10 "Field Requirements By Entity Type": EXTERNAL needs channel_id null,
            # entity_metadata.location and scheduled_end_time.
            if merged.get("channel_id") is not None:
                errors.append(("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_NULL",
                               "channel_id must be null for EXTERNAL events."))
            if not creating and previous_type != 3 and not ("channel_id" in body and
                                                          body["channel_id"] is None):
                errors.append(("channel_id", "BASE_TYPE_REQUIRED", "Switching to EXTERNAL "
                               "needs channel_id: null."))
            metadata = merged.get("entity_metadata")
            location = metadata.get("location") if isinstance(metadata, dict) else None
            if not isinstance(location, str) or not 1 <= len(location) <= 100:
                errors.append(("entity_metadata.location", "BASE_TYPE_BAD_LENGTH",
                               "Must be between 1 and 100 in length."))
            if end_raw is None:
                errors.append(("scheduled_end_time", "BASE_TYPE_REQUIRED",
                               "This field is required for EXTERNAL events."))
            if not creating and previous_type != 3:
                for key in ("entity_metadata", "scheduled_end_time"):
                    if key not in body:
                        errors.append((key, "BASE_TYPE_REQUIRED", "Switching to EXTERNAL needs "
                                       f"{key}."))
        elif etype in (1, 2):
            if not is_snowflake(merged.get("channel_id")):
                errors.append(("channel_id", "BASE_TYPE_REQUIRED", "This field is required"))
        return errors

    def _event(self, guild_id: str, event_id: str) -> dict:
        self._require_guild(guild_id)
        event = self.scheduled_events.get(guild_id, {}).get(event_id)
        if event is None:
            raise HttpError(404, json_error(10070, "Unknown Guild Scheduled Event"),
                            "unknown_scheduled_event")
        return event

    async def _h_events_list(self, rec: RestRequest, guild_id: str) -> Tuple[int, Any]:
        self._require_guild(guild_id)
        return 200, list(self.scheduled_events.get(guild_id, {}).values())

    async def _h_event_get(self, rec: RestRequest, guild_id: str,
                           event_id: str) -> Tuple[int, Any]:
        return 200, self._event(guild_id, event_id)

    async def _h_event_create(self, rec: RestRequest, guild_id: str) -> Tuple[int, Any]:
        self._require_guild(guild_id)
        body = rec.body
        if not isinstance(body, dict):
            raise HttpError(400, form_error([("", "DICT_TYPE_CONVERT", "Must be an object.")]),
                            "invalid_body")
        errors = self._validate_event(body, body, True, None)
        if errors:
            raise HttpError(400, form_error(errors), "invalid_scheduled_event")
        events = self.scheduled_events[guild_id]
        if sum(1 for e in events.values() if e["status"] in (1, 2)) >= 100:
            raise HttpError(400, json_error(30038, "Maximum number of uncompleted guild "
                                            "scheduled events reached (100)"),
                            "scheduled_event_limit")
        event = {
            "id": self.snowflake(),
            "guild_id": guild_id,
            "channel_id": body.get("channel_id"),
            "creator_id": self.config.bot_user_id,
            "creator": self.bot_user,
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": 2,
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata") if body["entity_type"] == 3 else None,
            "user_count": 0,
            "image": None,
            "recurrence_rule": body.get("recurrence_rule"),
            "audit_log_reason": rec.headers.get("X-Audit-Log-Reason"),
        }
        events[event["id"]] = event
        self._changed()
        await self.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
        return 200, event

    async def _h_event_edit(self, rec: RestRequest, guild_id: str,
                            event_id: str) -> Tuple[int, Any]:
        event = self._event(guild_id, event_id)
        body = rec.body
        if not isinstance(body, dict):
            raise HttpError(400, form_error([("", "DICT_TYPE_CONVERT", "Must be an object.")]),
                            "invalid_body")
        if event["status"] in (3, 4):
            raise HttpError(400, form_error([("status", "GUILD_SCHEDULED_EVENT_STATUS_FINAL",
                                              "A completed or canceled event cannot be "
                                              "changed.")]), "scheduled_event_status")
        merged = dict(event)
        for key, value in body.items():
            merged[key] = value
        if merged.get("entity_type") != 3 and "entity_metadata" in body:
            merged["entity_metadata"] = event["entity_metadata"]  # silently discarded (R10)
        errors = self._validate_event(merged, body, False, event["entity_type"])
        if "status" in body and body["status"] != event["status"]:
            allowed = {1: {2, 4}, 2: {3}}.get(event["status"], set())
            if body["status"] not in allowed:
                errors.append(("status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                               f"Cannot move an event from status {event['status']} to "
                               f"{body['status']}."))
        if errors:
            raise HttpError(400, form_error(errors), "invalid_scheduled_event")
        event.update({k: merged[k] for k in merged if k in event})
        self._changed()
        await self.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return 200, event

    async def _h_event_delete(self, rec: RestRequest, guild_id: str,
                              event_id: str) -> Tuple[int, Any]:
        event = self._event(guild_id, event_id)
        del self.scheduled_events[guild_id][event_id]
        self._changed()
        await self.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
        return 204, None


# ---------------------------------------------------------------------------------------------
# CLI: a standalone emulator for manual runs.

CLI_HELP = """Type a line to post it as a user message in the default channel, or:
  :slash create place=Cafe when=3pm   dispatch /tweetup create ...
  :click CUSTOM_ID MESSAGE_ID         click a button
  :reconnect | :invalid true|false | :beat | :close CODE | :drop | :ack on|off | :summary"""


async def _cli_command(emu: DiscordEmulator, line: str) -> None:
    if not line.startswith(":"):
        await emu.message_create(line)
        return
    words = line[1:].split()
    if not words:
        return
    verb, args = words[0], words[1:]
    if verb == "slash":
        options = dict(arg.split("=", 1) for arg in args[1:] if "=" in arg)
        await emu.slash_command(args[0] if args else "create", options)
    elif verb == "click" and len(args) == 2:
        await emu.button_click(args[0], args[1])
    elif verb == "reconnect":
        await emu.send_reconnect()
    elif verb == "invalid":
        await emu.send_invalid_session(bool(args) and args[0] == "true")
    elif verb == "beat":
        await emu.request_heartbeat()
    elif verb == "close" and args:
        await emu.close_connection(int(args[0]))
    elif verb == "drop":
        await emu.drop_connection()
    elif verb == "ack" and args:
        emu.set_heartbeat_ack(args[0] == "on")
    elif verb == "summary":
        print(emu.summary(), flush=True)
    else:
        print(CLI_HELP, flush=True)


async def _cli_main(args: argparse.Namespace) -> None:
    config = EmulatorConfig(heartbeat_interval_ms=args.heartbeat_ms, verbose=True)
    if args.token:
        config.token = args.token
    if args.application_id:
        config.application_id = args.application_id
    emu = DiscordEmulator(config)
    await emu.start(args.port)
    print(f"api_base {emu.api_base}\ngateway  {emu.gateway_url}\ntoken    {config.token}\n"
          f"app id   {config.application_id}\n{CLI_HELP}", flush=True)
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue = asyncio.Queue()

    def read_stdin() -> None:  # a daemon thread, so Ctrl-C never waits for a blocked read
        for raw in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, raw)

    threading.Thread(target=read_stdin, daemon=True).start()
    try:
        while True:
            line = await lines.get()
            try:
                await _cli_command(emu, line.rstrip("\n"))
            except Exception as error:  # noqa: BLE001 - report and keep the console alive
                print(f"error: {error}", flush=True)
    finally:
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Discord gateway + REST emulator")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--heartbeat-ms", type=int, default=41250)
    parser.add_argument("--token")
    parser.add_argument("--application-id")
    args = parser.parse_args()
    try:
        asyncio.run(_cli_main(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
