#!/usr/bin/python3
"""Helpers for scenario tests that run the REAL tweetup binary against the Discord emulator.

A scenario file looks like this:

    import harness
    from harness import Scenario

    class Startup(unittest.IsolatedAsyncioTestCase):
        async def test_identifies_and_registers_commands(self):
            async with Scenario(emulator={"heartbeat_interval_ms": 200}) as sc:
                await sc.wait_for(lambda: sc.emu.identifies, what="an Identify")
                await sc.bot.wait_for_log(r"READY")
                self.assertEqual(await sc.stop_bot(), 0)

    if __name__ == "__main__":
        harness.main()   # understands --bot /path/to/tweetup, passes the rest to unittest

CMake passes the binary with `--bot $<TARGET_FILE:tweetup>`; by hand, set DISCORD_EMULATOR_BOT.
Everything waits on conditions (no polling sleeps); every wait has a timeout and fails with the
bot's log tail and the emulator's summary.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest
from typing import Any, Callable, Dict, List, Optional, Pattern, Tuple, Union

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator import DiscordEmulator  # noqa: E402

BOT_BINARY: Optional[str] = None  # set by main() from --bot
BOT_ENV_VAR = "DISCORD_EMULATOR_BOT"


def bot_binary() -> str:
    """The tweetup binary under test: --bot (via main()) or $DISCORD_EMULATOR_BOT."""
    binary = BOT_BINARY or os.environ.get(BOT_ENV_VAR)
    if not binary:
        raise RuntimeError(f"no bot binary: pass --bot PATH or set {BOT_ENV_VAR}")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"bot binary {binary!r} is not executable")
    return binary


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point for scenario files: takes --bot PATH, hands the rest to unittest."""
    global BOT_BINARY
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--bot")
    known, rest = parser.parse_known_args(argv[1:])
    if known.bot:
        BOT_BINARY = known.bot
    unittest.main(argv=[argv[0]] + rest, verbosity=2)


def self_signed_localhost(directory: str) -> Tuple[str, str]:
    """(certificate, key) files, in `directory`, of a new self-signed P-256 certificate for
    "localhost": what the emulator serves TLS with and the bot trusts through tls.ca_file."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def server_tls(certificate: Tuple[str, str]) -> ssl.SSLContext:
    """The emulator's TLS context for a (certificate, key) pair."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def deep_merge(base: Dict[str, Any], overrides: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of `base` with `overrides` merged in; nested objects merge, the rest replaces."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def bot_config(emu: DiscordEmulator, workdir: str,
               overrides: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The bot's JSON config for a run against `emu`, database inside `workdir`."""
    config = {
        "adapter": "discord",
        "database": os.path.join(workdir, "t.db"),
        "default_timezone": "UTC",
        "log": {"level": "debug", "format": "text"},
        "http": {"listen": ""},
        "discord": {
            "api_base": emu.api_base,
            "application_id": emu.config.application_id,
            "commands": "guild",
            "guild_ids": [g["id"] for g in emu.config.guilds],
            "scheduled_events": False,
        },
    }
    return deep_merge(config, overrides or {})


def write_config(path: str, config: Dict[str, Any]) -> str:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(config, out, indent=2)
    return path


def child_environment(token: Optional[str], extra: Optional[Dict[str, str]] = None) -> Dict[
        str, str]:
    """The parent's environment without any TWEETUP_* override (they would change the config),
    plus the token and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWEETUP_")}
    if token is not None:
        env["TWEETUP_DISCORD_TOKEN"] = token
    env.update(extra or {})
    return env


LinePattern = Union[str, Pattern[str], Callable[[str], bool]]


def _line_matcher(pattern: LinePattern) -> Callable[[str], bool]:
    if callable(pattern) and not isinstance(pattern, re.Pattern):
        return pattern
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    return lambda line: compiled.search(line) is not None


class BotProcess:
    """One run of the bot: `binary run --config <path>`, stderr (the log) and stdout collected
    line by line. Create and use on one event loop."""

    def __init__(self, binary: str, config_path: str, env: Dict[str, str], cwd: str,
                 args: Optional[List[str]] = None):
        self.binary = binary
        self.config_path = config_path
        self.env = env
        self.cwd = cwd
        self.args = args if args is not None else ["run", "--config", config_path]
        self.lines: List[str] = []  # stderr, the bot's log
        self.stdout_lines: List[str] = []
        self.process: Optional[asyncio.subprocess.Process] = None
        self._cond = asyncio.Condition()
        self._readers: List[asyncio.Task] = []
        self._exited = asyncio.Event()
        self.stop_requested = False
        self.on_exit: Optional[Callable[["BotProcess"], None]] = None

    async def start(self) -> "BotProcess":
        self.process = await asyncio.create_subprocess_exec(
            self.binary, *self.args, cwd=self.cwd, env=self.env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, limit=1 << 20)
        loop = asyncio.get_running_loop()
        self._readers = [loop.create_task(self._read(self.process.stderr, self.lines)),
                         loop.create_task(self._read(self.process.stdout, self.stdout_lines))]
        loop.create_task(self._watch_exit())
        return self

    async def _read(self, stream: asyncio.StreamReader, into: List[str]) -> None:
        while True:
            raw = await stream.readline()
            if not raw:
                break
            into.append(raw.decode("utf-8", "replace").rstrip("\n"))
            async with self._cond:
                self._cond.notify_all()

    async def _watch_exit(self) -> None:
        assert self.process is not None
        await self.process.wait()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._exited.set()
        async with self._cond:
            self._cond.notify_all()
        if self.on_exit is not None:
            self.on_exit(self)

    @property
    def returncode(self) -> Optional[int]:
        return self.process.returncode if self.process else None

    @property
    def running(self) -> bool:
        return (self.process is not None and self.process.returncode is None
                and not self._exited.is_set())

    def log_tail(self, count: int = 40) -> str:
        return "\n".join(self.lines[-count:])

    def find_log(self, pattern: LinePattern) -> List[str]:
        match = _line_matcher(pattern)
        return [line for line in self.lines if match(line)]

    async def wait_for_log(self, pattern: LinePattern, timeout: float = 10.0,
                           count: int = 1) -> str:
        """Wait until `count` log lines match (regex search or predicate); return the last one.
        Fails at once if the bot exits first."""
        match = _line_matcher(pattern)

        def found() -> Optional[str]:
            hits = [line for line in self.lines if match(line)]
            if len(hits) >= count:
                return hits[count - 1]
            if self._exited.is_set():
                return "<exited>"
            return None

        async with self._cond:
            try:
                line = await asyncio.wait_for(self._cond.wait_for(found), timeout)
            except asyncio.TimeoutError:
                raise AssertionError(f"no log line matching {pattern!r} within {timeout} s; "
                                     f"log tail:\n{self.log_tail()}") from None
        if line == "<exited>":
            raise AssertionError(f"the bot exited ({self.returncode}) before logging "
                                 f"{pattern!r}; log tail:\n{self.log_tail()}")
        return line

    async def wait_exit(self, timeout: float = 10.0) -> int:
        try:
            await asyncio.wait_for(self._exited.wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"the bot did not exit within {timeout} s; log tail:\n"
                                 f"{self.log_tail()}") from None
        assert self.returncode is not None
        return self.returncode

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Send `sig` and wait for the exit code (negative: killed by a signal). If the bot is
        still running after `timeout`, it is killed and the stop fails."""
        if self.process is None:
            raise RuntimeError("not started")
        self.stop_requested = True
        if self.running:
            try:
                self.process.send_signal(sig)
            except ProcessLookupError:
                pass  # it exited on its own just now
        try:
            return await self.wait_exit(timeout)
        except AssertionError:
            self.process.kill()
            await self._exited.wait()
            raise


class Scenario:
    """An emulator, a temporary directory with the bot's config and database, and the bot.

    async with Scenario(emulator={...}, config={...}) as sc:
        sc.emu, sc.bot, sc.workdir, sc.config
    On exit the bot gets SIGTERM (then SIGKILL), the emulator stops and the directory goes; if
    the block failed, the bot's log tail and the emulator's summary go to stderr."""

    def __init__(self, *, binary: Optional[str] = None,
                 emulator: Optional[Union[DiscordEmulator, Dict[str, Any]]] = None,
                 config: Optional[Dict[str, Any]] = None, env: Optional[Dict[str, str]] = None,
                 token: Optional[str] = "emulator", start_bot: bool = True,
                 keep_dir: bool = False):
        self.binary = binary
        self._emulator_arg = emulator
        self.config_overrides = config or {}
        self.extra_env = env or {}
        self.token_choice = token  # "emulator": the emulator's token; None: unset; else as is
        self.start_bot_on_enter = start_bot
        self.keep_dir = keep_dir or bool(os.environ.get("DISCORD_EMULATOR_KEEP"))
        self.emu: DiscordEmulator = None  # type: ignore[assignment]
        self.bot: Optional[BotProcess] = None
        self.runs: List[BotProcess] = []  # every bot process started, in order
        self.workdir = ""
        self.config: Dict[str, Any] = {}
        self.config_path = ""
        self._own_emulator = False
        self.exit_grace = 1.0  # seconds between an unasked-for bot exit and failing waits

    async def __aenter__(self) -> "Scenario":
        if isinstance(self._emulator_arg, DiscordEmulator):
            self.emu = self._emulator_arg
        else:
            self.emu = DiscordEmulator(**(self._emulator_arg or {}))
            await self.emu.start()
            self._own_emulator = True
        self.workdir = tempfile.mkdtemp(prefix="tweetup-discord-")
        self.config = bot_config(self.emu, self.workdir, self.config_overrides)
        self.config_path = write_config(os.path.join(self.workdir, "tweetup.json"), self.config)
        if self.start_bot_on_enter:
            await self.start_bot()
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.bot is not None and self.bot.running:
                try:
                    await self.bot.stop(timeout=10.0)
                except AssertionError as error:
                    if exc is None:
                        raise
                    print(f"[harness] {error}", file=sys.stderr)
        finally:
            if exc is not None:
                self.report()
            if self._own_emulator:
                await self.emu.stop()
            if self.keep_dir:
                print(f"[harness] kept {self.workdir}", file=sys.stderr)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def report(self) -> None:
        """Print what helps to understand a failure."""
        print("\n[harness] ---- emulator ----", file=sys.stderr)
        print(self.emu.summary(), file=sys.stderr)
        for index, run in enumerate(self.runs):
            print(f"[harness] ---- bot run {index + 1} (exit {run.returncode}) log tail ----",
                  file=sys.stderr)
            print(run.log_tail(80), file=sys.stderr)

    def token(self) -> Optional[str]:
        return self.emu.config.token if self.token_choice == "emulator" else self.token_choice

    async def start_bot(self, args: Optional[List[str]] = None) -> BotProcess:
        """Start (or start again, after stop_bot) the bot on the same config and database."""
        if self.bot is not None and self.bot.running:
            raise RuntimeError("the bot is already running")
        env = child_environment(self.token(), self.extra_env)
        self.bot = BotProcess(self.binary or bot_binary(), self.config_path, env, self.workdir,
                              args)
        self.bot.on_exit = self._bot_exited
        self.runs.append(self.bot)
        self.emu.abort_waits(None)
        await self.bot.start()
        return self.bot

    def _bot_exited(self, bot: BotProcess) -> None:
        """A bot that exits without stop_bot() fails the emulator's waits after a short grace
        (what it did just before exiting, e.g. a close frame, may still be arriving)."""
        if bot.stop_requested:
            return

        def abort() -> None:
            if self.bot is bot and not bot.stop_requested:
                self.emu.abort_waits(f"the bot exited ({bot.returncode}) without being asked "
                                     f"to; log tail:\n{bot.log_tail()}")

        asyncio.get_running_loop().call_later(self.exit_grace, abort)

    async def stop_bot(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        assert self.bot is not None
        return await self.bot.stop(sig, timeout)

    def rewrite_config(self, overrides: Dict[str, Any]) -> None:
        """Merge `overrides` into the config file (takes effect at the next start_bot)."""
        self.config = deep_merge(self.config, overrides)
        write_config(self.config_path, self.config)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0,
                       what: Optional[str] = None) -> Any:
        """emu.wait_for that fails at once, with the log tail, if the bot exits meanwhile."""
        if self.bot is None:
            return await self.emu.wait_for(predicate, timeout, what)
        waiter = asyncio.ensure_future(self.emu.wait_for(predicate, timeout, what))
        exited = asyncio.ensure_future(self.bot._exited.wait())  # noqa: SLF001
        try:
            done, _ = await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if waiter in done:
            try:
                return waiter.result()
            except AssertionError as error:
                raise AssertionError(f"{error}\nbot log tail:\n{self.bot.log_tail()}") from None
        waiter.cancel()
        raise AssertionError(f"the bot exited ({self.bot.returncode}) while waiting for "
                             f"{what or predicate!r}; log tail:\n{self.bot.log_tail()}")
