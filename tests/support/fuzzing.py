"""Property-based fuzzing (issue 12, "nothing crashes, nothing is lost"): hypothesis profiles, nasty
inputs, mutation of real payloads, and rigs that keep the real Slack and Telegram adapters running on
one event loop for thousands of examples.

Profiles, chosen with VERBINDER_FUZZ_PROFILE:
- "ci" (the default): each target runs its own small number of examples (`fuzz(n)`), about 2,100
  over the whole fuzz suite; derandomized, so CI is repeatable, and without shrinking, so a failure
  is reported at once (the @example inputs of the targets are the bugs found so far).
- "bench": every target runs VERBINDER_FUZZ_EXAMPLES examples (default 10,000), randomly seeded.
  With VERBINDER_FUZZ_RECORD set (bench/fuzz.py does), a failing example is counted and the run goes
  on; the target fails at the end and its counts go to the record file. VERBINDER_FUZZ_SECONDS
  stops a slow target early, keeping what it ran.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from sqlalchemy import func, select

from adapters.slack.adapter import SlackAdapter
from adapters.telegram.adapter import TelegramAdapter
from app.runtime import ALL_COMMANDS, BotCore, Runtime, build_runtime
from bot.conversations.records import QuestionRecord
from bot.service import Service
from support.chat import msg
from support.docs import make_settings
from support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from support.fake_slack import Call as SlackCall
from support.fake_telegram import BASE_URL as TELEGRAM_URL
from support.fake_telegram import TOKEN as TELEGRAM_TOKEN
from support.fake_telegram import Call as TelegramCall
from support.fake_telegram import FakeBotApi
from support.slack_harness import Bot as SlackBot

T = TypeVar("T")

PROFILE_ENV = "VERBINDER_FUZZ_PROFILE"
EXAMPLES_ENV = "VERBINDER_FUZZ_EXAMPLES"
RECORD_ENV = "VERBINDER_FUZZ_RECORD"  # bench: a JSONL file that gets one line per target
SECONDS_ENV = "VERBINDER_FUZZ_SECONDS"  # bench: stop a target after this long (its count so far is kept)
BENCH_EXAMPLES = 10_000
ROOT = Path(__file__).resolve().parents[2]

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    # No shrinking in CI: a failure is reported at once (bench shrinks, and lists failing inputs).
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile(
    "bench",
    parent=settings.get_profile("ci"),
    max_examples=int(os.environ.get(EXAMPLES_ENV) or BENCH_EXAMPLES),
    derandomize=False,
    phases=(Phase.explicit, Phase.generate),
)
PROFILE = os.environ.get(PROFILE_ENV) or "ci"
settings.load_profile(PROFILE)
RECORD = os.environ.get(RECORD_ENV, "") if PROFILE != "ci" else ""
MAX_SECONDS = float(os.environ.get(SECONDS_ENV) or 0) if RECORD else 0.0


@dataclass
class TargetRun:
    """What one fuzz target did under the bench profile: every example run, every failure."""

    name: str
    examples: int = 0
    started: float = 0.0
    stopped: bool = False  # by VERBINDER_FUZZ_SECONDS, before all examples ran
    failures: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # failure signature -> count
    samples: dict[str, str] = field(default_factory=dict)  # signature -> the shortest failing input

    notes: dict[str, int] = field(default_factory=dict)  # what was seen but is no failure, by kind
    shown: dict[str, Any] = field(default_factory=dict, repr=False)  # the running example's input

    def failed(self, exc: BaseException, inputs: dict[str, Any]) -> None:
        self.failures += 1
        sig = signature(exc)
        self.kinds[sig] = self.kinds.get(sig, 0) + 1
        shown = ", ".join(f"{k}={v!r}" for k, v in inputs.items() if _plain(v))[:600]
        if sig not in self.samples or len(shown) < len(self.samples[sig]):
            self.samples[sig] = shown


CURRENT: TargetRun | None = None  # the target whose example is running
ERROR_LOGS: list[ErrorLog] = []


def show(**inputs: Any) -> None:
    """Name the input of the running example (for targets that draw it with st.data())."""
    if CURRENT is not None:
        CURRENT.shown = inputs


def note(kind: str) -> None:
    """Count something an example showed that the properties allow (bench lists it)."""
    if CURRENT is not None:
        CURRENT.notes[kind] = CURRENT.notes.get(kind, 0) + 1


def _plain(value: Any) -> bool:
    return isinstance(value, str | bytes | int | float | bool | list | dict | tuple | type(None))


def signature(exc: BaseException) -> str:
    """A failure's kind: the exception type, where in Verbinder it was raised, its first line."""
    ours = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(str(ROOT) + "/")]
    ours = [f for f in ours if "/.venv/" not in f.filename]
    frames = [f for f in ours if "/tests/" not in f.filename] or ours  # the bot's code, else the test
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"
    first = re.sub(r"Task-\d+|0x[0-9a-f]+", "#", (str(exc).strip().splitlines() or [""])[0])[:240]
    return f"{type(exc).__name__} at {where}: {first}"


def fuzz(ci_examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a @given test as a fuzz target: `ci_examples` examples under the ci profile, the
    profile's count otherwise. Under bench (with VERBINDER_FUZZ_RECORD set) a failing example is
    counted and the run goes on, so every target runs all its examples; the test fails at the end
    when any example failed, and the counts are appended to the record file."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        test = settings(max_examples=ci_examples)(test) if PROFILE == "ci" else settings()(test)
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]
        run = TargetRun(test.__name__)

        def body(*args: Any, **kwargs: Any) -> None:
            global CURRENT
            CURRENT = run
            if MAX_SECONDS and time.monotonic() - run.started > MAX_SECONDS:
                run.stopped = True
                raise KeyboardInterrupt(f"{run.name}: stopped after {MAX_SECONDS:g} s")
            run.examples += 1
            run.shown = {}
            if RECORD and run.examples % 500 == 0:  # progress, for a long bench run
                progress = {k: v for k, v in run.__dict__.items() if k != "shown"}
                Path(RECORD + ".progress").write_text(json.dumps(progress), encoding="utf-8")
            for log in ERROR_LOGS:
                log.clear()  # what an earlier example left behind is not this one's
            if not RECORD:
                return inner(*args, **kwargs)
            try:
                return inner(*args, **kwargs)
            except HypothesisException:
                raise
            except Exception as exc:  # noqa: BLE001 - counted, reported at the end
                run.failed(exc, {**kwargs, **run.shown})
                return None

        test.hypothesis.inner_test = body  # type: ignore[attr-defined]

        @functools.wraps(test)
        def target(*args: Any, **kwargs: Any) -> None:
            run.examples = run.failures = 0
            run.started, run.stopped = time.monotonic(), False
            run.kinds.clear()
            run.samples.clear()
            run.notes.clear()
            try:
                test(*args, **kwargs)
            finally:
                if RECORD:
                    with open(RECORD, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps({k: v for k, v in run.__dict__.items() if k != "shown"}) + "\n")
            if run.failures:
                kinds = "\n".join(f"  {n} x {k}\n    e.g. {run.samples[k]}" for k, n in run.kinds.items())
                raise AssertionError(f"{run.failures} of {run.examples} examples failed:\n{kinds}")

        return target

    return decorate


# -- text ---------------------------------------------------------------------------------------

# Every code point (lone surrogates too), with the troublemakers drawn more often than by chance.
NASTY_CHARS = (
    "\x00\x01\x07\x08\x0b\x0c\r\x1b\x7f\x85\xa0\xad\u0301\u200b\u200d\u200e\u202e\u2028\u2029"
    "\u2060\ufeff\ufffd\uffff\ud800\udbff\udc00\udcff\udfff"
)
ANY_CHAR = st.one_of(st.characters(codec=None, exclude_categories=()), st.sampled_from(NASTY_CHARS))

# Words the bot reacts to: the fixture corpus, question words, commands, mentions, markup of every
# platform, small talk; mixed into random text they lead the input past the first checks.
WORDS = (
    (
        "Waar repeteert het seniorenkoor voor eenzame ouderen ? Wat What does the Leeds museum offer "
        "people living with dementia dementie subsidie dansprojecten parkinson Lombok wijktheater "
        "muziek afdeling poëzie poetry workshops library lantaarn Zwolle Amersfoort Gelderland hoeveel "
        "leden telefoonnummer wie wanneer hoe kunst op recept en in de het een of niet geen"
    ).split()
    + sorted({f"/{n}" for spec in ALL_COMMANDS for n in spec.names})
    + [
        "/onbekend",
        "@VerbinderBot",
        "<@U0VBOT>",
        "<@U0MEMBER1|lid>",
        "<!channel>",
        "<#C0GENERAL|algemeen>",
        "<https://example.org|link>",
        "*vet*",
        "_schuin_",
        "~weg~",
        "`code`",
        "```",
        "> citaat",
        "<b>",
        "</b>",
        "<a href='x'>",
        "&amp;",
        "&lt;",
        "&#0;",
        "[/]",
        "[bold]",
        ":x:",
        "{{",
        "}}",
        "%s",
        "{0}",
        "\\",
        "'; DROP TABLE questions; --",
        "dank je wel!",
        "hoi",
        "👍",
        "👨‍👩‍👧",
        "🇳🇱",
        "e\u0301",
        "\u202e",
        "\u200b",
        "\ufeff",
        "\x00",
        "\r\n",
        "\t",
        "\ud800",
        "\udcff",
        "\U0001f600",
        "#12",
        "12",
        "99999999999999999999",
        "-1",
        "0",
        "tot 1-12",
        "2026-13-45",
        "#dementie",
        "|",
    ]
)


def any_text(max_size: int = 200, min_size: int = 0) -> st.SearchStrategy[str]:
    """Any code points: control characters, unassigned and private-use ones, lone surrogates."""
    # A list joined, not st.text: text() merges the alphabet into one range of code points, where
    # the few troublemakers would be as rare as by chance.
    return st.lists(ANY_CHAR, min_size=min_size, max_size=max_size).map("".join)


def wordy_text(max_words: int = 30) -> st.SearchStrategy[str]:
    """Words the bot reacts to, joined by random separators and noise."""
    piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), any_text(6))
    sep = st.sampled_from([" ", " ", " ", "", "\n", "  ", "\t", ", ", "? "])
    return st.lists(st.tuples(piece, sep), max_size=max_words).map(lambda ps: "".join(a + b for a, b in ps))


def long_text(limit: int = 100_000) -> st.SearchStrategy[str]:
    """Up to `limit` characters: a random piece repeated (cheap for hypothesis to make and shrink)."""
    return st.builds(
        lambda piece, n: (piece * n)[:limit],
        st.one_of(any_text(40, min_size=1), wordy_text(8).filter(bool)),
        st.integers(1, limit),
    )


def chaos_text(max_size: int = 300, limit: int = 100_000) -> st.SearchStrategy[str]:
    """What a member might send: random Unicode, bot words with noise, or text up to `limit` long."""
    return st.one_of(any_text(max_size), wordy_text(), wordy_text(), long_text(limit))


# -- JSON and bytes -----------------------------------------------------------------------------

JSON_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text(40),
    st.sampled_from(WORDS),
    st.sampled_from(["", " ", "0", "1", "true", "null", "D0DM00001", "C0GENERAL", "U0MEMBER1", "U0VBOT"]),
)


def json_values(depth: int = 3) -> st.SearchStrategy[Any]:
    """Any JSON value (scalars of every type, nested lists and objects)."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=8,
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _replace(value: Any, path: tuple[Any, ...], new: Any, delete: bool = False) -> Any:
    """A copy of `value` with the node at `path` replaced (or deleted from its parent)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    out = dict(value) if isinstance(value, dict) else list(value)
    if not rest and delete:
        del out[head]
    else:
        out[head] = _replace(value[head], rest, new, delete) if rest else new
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any, max_mutations: int = 4) -> Any:
    """`base` (a real payload) with a few values replaced by any JSON, keys deleted or added."""
    value = base
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = list(_paths(value))[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if op == "replace":
            value = _replace(value, path, draw(json_values()))
        elif op == "delete":
            value = _replace(value, path, None, delete=True)
        else:
            parent = path[:-1]
            node: Any = value
            for p in parent:
                node = node[p]
            if isinstance(node, dict):
                value = _replace(value, (*parent, draw(st.text(max_size=12))), draw(json_values()))
    return value


@st.composite
def mutated_bytes(draw: st.DrawFn, base: bytes, max_mutations: int = 6) -> bytes:
    """`base` (a real file) with bytes flipped, inserted, deleted, chunks duplicated, or cut short."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        if not data:
            data += draw(st.binary(min_size=1, max_size=16))
            continue
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "duplicate", "truncate"]))
        if op == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[i] = draw(
                st.sampled_from([0, 0xFF, 0x7F, ord("("), ord("<"), ord("/"), ord("0"), ord("\n")])
            )
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=32))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 64))]
        elif op == "duplicate":
            data[i:i] = data[i : i + draw(st.integers(1, 256))]
        else:
            del data[i:]
    return bytes(data)


@contextmanager
def production_stack() -> Iterator[None]:
    """Python's default recursion limit (1000) above the caller's frames: hypothesis raises the
    limit while a test runs, which would hide a RecursionError that the bot hits in production."""
    depth, before = len(traceback.extract_stack()), sys.getrecursionlimit()
    sys.setrecursionlimit(max(1000, depth + 950))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


# -- what must hold -----------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Collects every record logged at ERROR or above (with its traceback, if any)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def clear(self) -> None:
        self.records.clear()

    def problems(self) -> list[str]:
        """One entry per record: logger, message and the last lines of the traceback."""
        out = []
        for r in self.records:
            text = f"{r.levelname} {r.name}: {r.getMessage()}"
            if r.exc_info and r.exc_info[1] is not None:
                text += f"\n  {signature(r.exc_info[1])}\n" + "".join(
                    traceback.format_exception(*r.exc_info)[-3:]
                )
            out.append(text)
        return out

    def kinds(self) -> list[str]:
        """One short line per record (for `note`)."""
        return [
            f"{r.levelname} {r.name}: "
            + (signature(r.exc_info[1]) if r.exc_info and r.exc_info[1] else r.getMessage()[:160])
            for r in self.records
        ]


@contextmanager
def error_log() -> Iterator[ErrorLog]:
    """Record ERROR records of every logger for the duration (attached to the root logger)."""
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    ERROR_LOGS.append(handler)
    try:
        yield handler
    finally:
        ERROR_LOGS.remove(handler)
        root.removeHandler(handler)


@dataclass
class Stored:
    """What is in the stores before fuzzing: it must all still be there afterwards."""

    rt: Runtime
    questions: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (user, text, answer)
    documents: set[str] = field(default_factory=set)
    count: int = 0

    def __repr__(self) -> str:
        return f"Stored({len(self.questions)} questions, {len(self.documents)} documents)"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    @classmethod
    def capture(cls, rt: Runtime, question_ids: list[int]) -> Stored:
        stored = cls(rt)
        with rt.sessions() as s:
            for qid in question_ids:
                q = s.get(QuestionRecord, qid)
                assert q is not None, qid
                stored.questions[qid] = (q.user_id, q.text, q.answer)
        stored.documents = {d.path for d in rt.kb.documents()}
        stored.count = stored.question_count()
        return stored

    def question_count(self) -> int:
        with self.rt.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(QuestionRecord)) or 0)

    def lost(self) -> list[str]:
        """What of the captured data is gone or changed (empty when everything is still there)."""
        problems = []
        with self.rt.sessions() as s:
            for qid, before in self.questions.items():
                q = s.get(QuestionRecord, qid)
                now = None if q is None else (q.user_id, q.text, q.answer)
                if now != before:
                    problems.append(f"question {qid}: {before!r} is now {now!r}")
        count = self.question_count()
        if count < self.count:
            problems.append(f"{self.count - count} stored question(s) gone")
        self.count = max(self.count, count)
        missing = self.documents - {d.path for d in self.rt.kb.documents()}
        if missing:
            problems.append(f"documents gone from the knowledge base: {sorted(missing)}")
        return problems


# -- an event loop that outlives the examples -----------------------------------------------------


class Loop:
    """One event loop for a module's rig: hypothesis examples are synchronous, the adapters async."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()


SLOW = 5.0  # seconds: an example whose work takes longer is noted as slow (bench lists it)


async def quiet(until: Callable[[], Awaitable[bool]], timeout: float = 120.0) -> None:
    """Wait until every task started since the request (Bolt's listeners, PTB's update processors)
    is done, then until `until()` says the adapter is idle."""
    me = asyncio.current_task()
    started = asyncio.get_running_loop().time()
    deadline = started + timeout
    while True:
        await asyncio.sleep(0)
        busy = [
            t
            for t in asyncio.all_tasks()
            if t is not me and not t.done() and not _long_lived(t.get_coro())  # type: ignore[arg-type]
        ]
        if not busy and await until():
            if asyncio.get_running_loop().time() - started > SLOW:
                note(f"slow: an example took over {SLOW:g} s to answer")
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still busy after {timeout} s: {'; '.join(_where(t) for t in busy)}")
        await asyncio.sleep(0.001)


def _where(task: asyncio.Task[Any]) -> str:
    """A pending task as `coroutine at file:line` (its innermost frame)."""
    stack = task.get_stack()
    at = f"{Path(stack[-1].f_code.co_filename).name}:{stack[-1].f_lineno}" if stack else "?"
    return f"{getattr(task.get_coro(), '__qualname__', '?')} at {at}"


def _long_lived(coro: Any) -> bool:
    """Tasks that live as long as a server or an application (connections, PTB's queue fetcher)."""
    name = getattr(coro, "__qualname__", "")
    return name.startswith(("RequestHandler.", "Application._update_fetcher", "BaseSite", "Server."))


def as_json(value: Any) -> str:
    """JSON as a platform sends it (non-ASCII escaped, so lone surrogates travel as \\udxxx)."""
    return json.dumps(value)


# -- a bot with something stored ----------------------------------------------------------------

KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
MUSEUM_Q = "What does the Leeds museum offer people living with dementia?"
EXPERT = {"slack": "U0EXPERT1", "telegram": "4242"}
MODERATOR = {"slack": "U0MOD", "telegram": "4343"}
MEMBERS = {"slack": "U0MEMBER1", "telegram": "4201"}


@dataclass
class FuzzWorld:
    """The full bot core (experts feature included) on the fixture corpus, with questions already
    stored on both platforms; `stored` is what must survive every example."""

    rt: Runtime
    core: BotCore
    asked: dict[str, QuestionRecord]  # platform -> the member's stored question
    stored: Stored

    def __repr__(self) -> str:  # hypothesis prints the fixtures of a failing example
        return f"FuzzWorld({self.rt.settings.data_dir})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    @property
    def service(self) -> Service:
        return self.core.service

    @classmethod
    def build(cls, data_dir: Path, corpus: Path, **overrides: Any) -> FuzzWorld:
        moderators = ",".join(f"{p}:{u}" for p, u in MODERATOR.items())
        rt = build_runtime(make_settings(data_dir, moderators=moderators, **overrides))
        report = rt.ingest([corpus])
        assert report.ok, report.failed
        core = rt.bot()
        core.experts.add(
            "Sanne Expert",
            identities=dict(EXPERT),
            expertise="muziek en zang met ouderen, dementie, subsidies voor dans",
            tags="ouderen,dementie,muziek",
        )
        core.experts.add("Mo Derator", identities=dict(MODERATOR), moderator=True)
        asked: dict[str, QuestionRecord] = {}
        for platform, user in MEMBERS.items():
            for text in (KOOR_Q, MUSEUM_Q, "Wat is het telefoonnummer van buurthuis De Linde?"):
                [reply] = core.service.handle(msg(platform, user, text))
                assert reply.question_id is not None
                q = core.service.store.get(reply.question_id)
                assert q is not None
                asked.setdefault(platform, q)
        with rt.sessions() as s:
            ids = list(s.scalars(select(QuestionRecord.id)))
        return cls(rt, core, asked, Stored.capture(rt, ids))


# -- the real adapters, kept running for many examples --------------------------------------------

REPLIES = ("chat.postMessage", "chat.postEphemeral")


@dataclass
class SlackRig:
    """A SlackAdapter (HTTP mode) behind a test server, talking to the fake Slack, on its own loop."""

    loop: Loop
    fake: FakeSlack
    bot: SlackBot
    log: ErrorLog

    def __repr__(self) -> str:
        return f"SlackRig({self.fake.url})"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    @classmethod
    def start(cls, world: FuzzWorld, data_dir: Path, log: ErrorLog) -> SlackRig:
        loop = Loop()

        async def up() -> tuple[FakeSlack, SlackBot]:
            fake = await FakeSlack().start()
            values: dict[str, Any] = dict(
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                slack_api_url=fake.url,
                slack_mode="http",
                slack_answer_channels="C0ANSWER",
            )
            adapter = SlackAdapter(make_settings(data_dir, **values), world.service, retry_delays=(0.01,))
            await adapter.start()
            app = web.Application(client_max_size=2 * 1024 * 1024)  # as adapters/runner.py serves it
            app.add_routes(adapter.routes())
            http = TestClient(TestServer(app))
            await http.start_server()
            return fake, SlackBot(adapter, http, fake, world.service)

        fake, bot = loop.run(up())
        return cls(loop, fake, bot, log)

    def close(self) -> None:
        async def down() -> None:
            await self.bot.http.close()
            await self.bot.adapter.stop()
            await self.fake.close()

        self.loop.run(down())
        self.loop.close()

    def post(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> tuple[int, list[SlackCall]]:
        """Send one request (signed over the raw bytes unless `headers` are given) and wait until
        everything it started is done; the HTTP status and the calls the adapter made meanwhile."""

        async def go() -> tuple[int, list[SlackCall]]:
            before = len(self.fake.calls)
            signed = headers if headers is not None else sign_bytes(body)
            resp = await self.bot.http.post(
                "/slack/events", data=body, headers={"Content-Type": content_type, **signed}
            )
            await resp.read()
            await quiet(lambda: self.bot.adapter.idle(0.05))
            return resp.status, self.fake.calls[before:]

        with production_stack():
            return self.loop.run(go())


def sign_bytes(body: bytes, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 signature over the raw request body."""
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


TELEGRAM_SECRET = "fuzz_Secret-12"


@dataclass
class TelegramRig:
    """A TelegramAdapter (webhook mode) on the offline fake Bot API, behind a test server."""

    loop: Loop
    fake: FakeBotApi
    adapter: TelegramAdapter
    http: TestClient  # type: ignore[type-arg]
    log: ErrorLog

    def __repr__(self) -> str:
        return "TelegramRig()"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))

    @classmethod
    def start(cls, world: FuzzWorld, data_dir: Path, log: ErrorLog) -> TelegramRig:
        loop = Loop()
        fake = FakeBotApi()

        async def up() -> tuple[TelegramAdapter, TestClient]:  # type: ignore[type-arg]
            values: dict[str, Any] = dict(
                telegram_bot_token=TELEGRAM_TOKEN,
                telegram_api_url=TELEGRAM_URL,
                telegram_webhook_url="https://bot.example.org/telegram/webhook",
                telegram_webhook_secret=TELEGRAM_SECRET,
            )
            adapter = TelegramAdapter(make_settings(data_dir, **values), world.service, request=fake)
            adapter.backoff = 0.01
            await adapter.start()
            app = web.Application(client_max_size=2 * 1024 * 1024)  # as adapters/runner.py serves it
            app.add_routes(adapter.routes())
            http = TestClient(TestServer(app))
            await http.start_server()
            return adapter, http

        adapter, http = loop.run(up())
        fake.calls.clear()
        return cls(loop, fake, adapter, http, log)

    def close(self) -> None:
        async def down() -> None:
            await self.http.close()
            await self.adapter.stop()

        self.loop.run(down())
        self.loop.close()

    def post(self, body: bytes, secret: str = TELEGRAM_SECRET) -> tuple[int, list[TelegramCall]]:
        """POST one webhook body and wait until the update is processed; the HTTP status and the
        Bot API calls the adapter made meanwhile."""

        async def go() -> tuple[int, list[TelegramCall]]:
            before = len(self.fake.calls)
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
            resp = await self.http.post("/telegram/webhook", data=body, headers=headers)
            await resp.read()
            app = self.adapter.application
            assert app is not None
            started = time.monotonic()
            await asyncio.wait_for(app.update_queue.join(), 120)
            if time.monotonic() - started > SLOW:
                note(f"slow: an example took over {SLOW:g} s to answer")
            await quiet(_true)
            return resp.status, self.fake.calls[before:]

        with production_stack():
            return self.loop.run(go())


async def _true() -> bool:
    return True
