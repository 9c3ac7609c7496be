"""Slack Events API ack benchmark: signed events over loopback HTTP into the real SlackAdapter.

Three processes, all on 127.0.0.1:

* the bot (this script, the parent): a temporary data dir with the bundled sample knowledge base,
  `rt.bot()`, the real `SlackAdapter` in HTTP mode served by `adapters.runner.BotProcess` on a free
  port, plus the outbox dispatcher and the scheduler (`run_delivery`), as `verbinder run` does;
* the fake Slack Web API (`--role fake`, tests/support/fake_slack.py): auth.test, users.info,
  reactions.add/remove, chat.postMessage, chat.postEphemeral; records every call with its arrival time;
* the load generator (`--role load`): sends N signed event_callback requests at a fixed rate on an
  open-loop schedule (a slow ack does not delay the next request) and measures each ack
  (send -> HTTP response).

Afterwards the parent waits until the adapter is idle and the outbox is empty, reads the fake's
recorded calls and checks that every distinct question got exactly one answer in its thread.

    python bench/bench_slack_ack.py                 # 500 events at 50/s
    python bench/bench_slack_ack.py --rate 100      # headroom

Exit code: 0 when every question was answered exactly once, 1 when not, 2 when the run failed.
The latency target (p99 ack <= 300 ms) is reported in the table and the JSON, not in the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from support.fake_slack import (  # noqa: E402 - tests/ is put on sys.path above
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    TEAM_ID,
    Call,
    FakeSlack,
)
from support.slack_payloads import envelope, mention_event, message_event, new_ts  # noqa: E402
from support.stack import free_port  # noqa: E402

TARGET_P99_MS = 300.0
EXPERTS_CHANNEL = "C0EXPERTS"
PUBLIC_CHANNEL = "C0BENCHPUB"
N_USERS = 40

# Questions the bundled sample knowledge base answers, and some it does not (those are routed).
KB_QUESTIONS = [
    "Wat is kunst op recept?",
    "Hoe vind ik financiering voor een project tegen eenzaamheid?",
    "Welke fondsen zijn er voor ouderenprojecten?",
    "Hoe organiseer ik een bijeenkomst over kunst en welzijn?",
    "Wat doet een cultuurcoach en wie betaalt die?",
    "Zijn er danslessen voor mensen met parkinson in Sneek?",
    "Is zingen in een koor goed voor de gezondheid van ouderen?",
    "Hoe zet ik kunst op recept op in mijn gemeente?",
    "Welke kunstactiviteiten kun je met ouderen doen?",
    "Wat is welzijn op recept in Noord-Holland Noord?",
    "Is er een museumrondleiding voor mensen met dementie?",
    "Wat kan cultuur doen tegen armoede?",
    "What is social prescribing?",
    "What does the WHO report say about arts and health?",
    "What are museums on prescription?",
    "How can cultural organisations take part in social prescribing?",
    "What are the key messages of Arts Against Loneliness?",
    "What makes a city age-friendly for cultural participation?",
]
OFF_QUESTIONS = [
    "Hoe laat vertrekt de laatste trein naar Zwolle?",
    "Wie wint dit jaar het WK voetbal?",
    "Wat is een goed recept voor appeltaart?",
    "Hoe vervang ik de remblokken van mijn fiets?",
    "What is the best pizza recipe?",
    "How do I reset my router password?",
]


# -- small helpers ------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Percentile with linear interpolation (as bench_kb.py)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 50),
        "p95_ms": pct(ms, 95),
        "p99_ms": pct(ms, 99),
        "mean_ms": sum(ms) / len(ms) if ms else float("nan"),
        "max_ms": max(ms) if ms else float("nan"),
    }


# -- process C: the fake Slack Web API ----------------------------------------------------------------


class TimedFake(FakeSlack):
    """The test suite's fake Slack, also noting when each call arrived (and dropping the headers)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.times: list[float] = []

    async def _record(self, call: Call) -> None:
        call.headers = {}
        self.times.append(time.time())
        await super()._record(call)

    def dump(self) -> list[dict[str, Any]]:
        rows = []
        for call, t in zip(self.calls, self.times, strict=True):
            a = call.args
            rows.append(
                {
                    "method": call.method,
                    "t": t,
                    "error": call.error,
                    "channel": a.get("channel"),
                    "thread_ts": a.get("thread_ts"),
                    "timestamp": a.get("timestamp"),
                    "user": a.get("user"),
                    "text": str(a.get("text") or "")[:80],
                    "ts": call.result.get("ts"),
                }
            )
        return rows


async def run_fake() -> None:
    """Serve the fake on a free port; `dump PATH` writes the recorded calls, `quit` (or EOF) stops."""
    fake = await TimedFake().start()
    print(f"READY {fake.port}", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if not line or line == "quit":
                break
            if line.startswith("dump "):
                Path(line[5:]).write_text(json.dumps(fake.dump()))
                print("DUMPED", flush=True)
    finally:
        await fake.close()


# -- process B: the load generator --------------------------------------------------------------------


def _bot_echo(channel: str, ts: str, thread_ts: str) -> dict[str, Any]:
    """The bot's own answer coming back as a message event (Slack sends these for every post)."""
    return {
        "type": "message",
        "text": "Dit staat er in de kennisbank: …",
        "user": BOT_USER,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
        "thread_ts": thread_ts,
        "parent_user_id": "U0BENCH001",
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im" if channel.startswith("D") else "channel",
        "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": "Verbinder", "team_id": TEAM_ID},
    }


def _edit(channel: str, user: str, ts: str, old_ts: str, text: str) -> dict[str, Any]:
    """A member editing an earlier DM (message_changed): the bot stays silent."""
    inner = {
        "type": "message",
        "text": text + " (bewerkt)",
        "user": user,
        "ts": old_ts,
        "edited": {"user": user, "ts": ts},
    }
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "message": inner,
        "previous_message": {"type": "message", "text": text, "user": user, "ts": old_ts},
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
    }


def _envelope(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(envelope(event, event_id), ensure_ascii=False)


def build_plan(n: int, warmup: int, rate: float, seed: int) -> list[dict[str, Any]]:
    """The requests in send order, each with its send time `at` (s after the start): i/rate, except
    that both halves of a pair go out at once. kinds: question (DM), mention/mention-message (a pair
    for one ts), retry (a redelivery of an earlier event), echo (the bot's own post in a thread),
    edit (message_changed)."""
    rng = random.Random(seed)
    plan: list[dict[str, Any]] = []
    sent_questions: list[int] = []  # plan indices of question deliveries, for retries and echoes

    def ts() -> str:
        # As in the tests: seconds from 2023 on, where the fake Slack never posts (it mints
        # `<now>.<n>`). Our own `<now>.<n>` made the fake give a bot reply the ts of a member's
        # message in the same channel, which Slack never does; that reply's link took over the
        # member's question (a follow-up in its thread found another question), and when the two
        # links were written at the same moment the second one failed on message_refs' key.
        return new_ts()

    def question_text() -> str:
        return rng.choice(OFF_QUESTIONS) if rng.random() < 0.25 else rng.choice(KB_QUESTIONS)

    def add(kind: str, event: dict[str, Any], *, answer_of: str | None = None, **extra: Any) -> None:
        event_id = f"Ev0B{seed:02d}{len(plan):07d}"
        plan.append(
            {
                "kind": kind,
                "event_id": event_id,
                "body": _envelope(event, event_id),
                "channel": event.get("channel"),
                "ts": event.get("ts"),
                "answer_of": answer_of,
                "warmup": len(plan) < warmup,
                "retry_num": 0,
                "at": len(plan) / rate,
                **extra,
            }
        )

    total = n + warmup
    while len(plan) < total:
        u = rng.randrange(N_USERS) + 1
        user, dm = f"U0BENCH{u:03d}", f"D0BENCH{u:03d}"
        r = rng.random()
        window = [i for i in sent_questions if 0.5 * rate <= len(plan) - i <= 4 * rate]  # sent 0.5-4 s ago
        if len(plan) < warmup or r < 0.84 or (r < 0.93 and not window):
            sent_questions.append(len(plan))
            add(
                "question",
                message_event(dm, question_text(), user=user, ts=ts(), channel_type="im"),
                answer_of="self",
            )
        elif r < 0.90 and len(plan) + 2 <= total:  # app_mention + message.channels for one ts
            t, text = ts(), f"<@{BOT_USER}> {question_text()}"
            mention = mention_event(PUBLIC_CHANNEL, text, user=user, ts=t)
            pair = [
                ("mention", mention, "self"),
                ("mention-message", message_event(PUBLIC_CHANNEL, text, user=user, ts=t), "pair"),
            ]
            rng.shuffle(pair)
            sent_questions.append(len(plan))
            at = len(plan) / rate
            for kind, event, answer in pair:  # Slack sends both at once: same instant, racing for the claim
                add(kind, event, answer_of=answer, at=at)
        elif r < 0.93:  # a redelivery of an event already sent: same body, same event_id
            of = rng.choice(window)
            plan.append(
                {
                    **plan[of],
                    "kind": "retry",
                    "answer_of": "retry",
                    "warmup": False,
                    "retry_num": rng.choice((1, 1, 1, 2, 3)),
                    "of_index": of,
                    "at": len(plan) / rate,
                }
            )
        elif r < 0.97 and window:  # the bot's own answer echoed back, in the question's thread
            orig = plan[rng.choice(window)]
            add("echo", _bot_echo(orig["channel"], ts(), orig["ts"]))
        else:
            add("edit", _edit(dm, user, ts(), ts(), question_text()))
    return plan


async def run_load(args: argparse.Namespace) -> None:
    """Send the plan open-loop at `rate` per second; write one result row per request."""
    import aiohttp

    from adapters.slack.api import signed_headers

    plan = build_plan(args.events, args.warmup, args.rate, args.seed)
    results: list[dict[str, Any]] = [{} for _ in plan]
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def send(i: int, scheduled: float) -> None:
            item = plan[i]
            headers = {"Content-Type": "application/json", **signed_headers(SIGNING_SECRET, item["body"])}
            if item["retry_num"]:
                headers["X-Slack-Retry-Num"] = str(item["retry_num"])
                headers["X-Slack-Retry-Reason"] = "http_timeout"
            wall, start = time.time(), time.perf_counter()
            row: dict[str, Any] = {"wall": wall, "lag": start - scheduled}
            try:
                async with session.post(args.url, data=item["body"].encode(), headers=headers) as resp:
                    await resp.read()
                    row["status"] = resp.status
            except Exception as exc:  # noqa: BLE001 - recorded as a failed request
                row["status"], row["error"] = 0, f"{type(exc).__name__}: {exc}"
            row["latency"] = time.perf_counter() - start
            results[i] = row

        tasks = []
        t0 = time.perf_counter()
        wall0 = time.time()
        for i in range(len(plan)):
            scheduled = t0 + plan[i]["at"]
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(i, scheduled)))
        sent_done = time.perf_counter()
        await asyncio.gather(*tasks)
        acked_done = time.perf_counter()

    for item, row in zip(plan, results, strict=True):
        row.update(
            {
                k: item.get(k)
                for k in ("kind", "event_id", "channel", "ts", "answer_of", "warmup", "retry_num", "of_index")
            }
        )
    measured = [r for r in results if not r["warmup"]]
    Path(args.result).write_text(
        json.dumps(
            {
                "wall0": wall0,
                "send_seconds": sent_done - t0,
                "ack_seconds": acked_done - t0,
                "requests": results,
                "measured_send_seconds": (measured[-1]["wall"] - measured[0]["wall"]) if measured else 0.0,
            }
        )
    )


# -- process A: the bot -------------------------------------------------------------------------------


class LogCounter(logging.Handler):
    """Counts warnings and errors logged by the bot during the run; keeps the first few."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "adapters.runner":
            return  # "listening on ..." and friends
        self.counts[record.levelname] += 1
        if len(self.first) < 8:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()[:200]}")


async def loop_lag(samples: list[float], stop: asyncio.Event, every: float = 0.005) -> None:
    """How late the bot's event loop wakes a 5 ms sleep (time the loop was busy elsewhere)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(every)
        samples.append(loop.time() - t - every)


async def _line(proc: asyncio.subprocess.Process, timeout: float) -> str:
    assert proc.stdout is not None
    return (await asyncio.wait_for(proc.stdout.readline(), timeout)).decode().strip()


async def run_bot(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from adapters.runner import BotProcess, run_delivery
    from adapters.slack.adapter import SlackAdapter
    from app.runtime import build_runtime
    from bot.config import Settings

    script = str(Path(__file__).resolve())
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        script,
        "--role",
        "fake",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        ready = await _line(fake, 30)
        if not ready.startswith("READY "):
            raise RuntimeError(f"the fake Slack did not start: {ready!r}")
        fake_url = f"http://127.0.0.1:{ready.split()[1]}/api/"
        port = free_port()
        settings = Settings(
            _env_file=None,
            data_dir=workdir / "data",
            sample_kb=True,
            database_url="",
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token="",
            slack_api_url=fake_url,
            slack_mode="http",
            http_host="127.0.0.1",
            http_port=port,
            experts_channel_slack=EXPERTS_CHANNEL,
            telegram_bot_token="",
        )
        t = time.perf_counter()
        rt = build_runtime(settings)
        report = rt.ensure_sample()
        core = rt.bot()
        core.service.store.prune_events()
        startup = time.perf_counter() - t
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        counter = LogCounter()
        logging.getLogger().addHandler(counter)

        adapter = SlackAdapter(settings, core.service)
        process = BotProcess(settings, [adapter])
        await process.start()
        delivery = run_delivery(core, [adapter], settings.timer_interval_seconds)
        lag: list[float] = []
        stop_lag = asyncio.Event()
        lag_task = asyncio.create_task(loop_lag(lag, stop_lag))
        result_path = workdir / "load.json"
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        try:
            cpu0, wall0 = _cpu(), time.perf_counter()
            load = await asyncio.create_subprocess_exec(
                sys.executable,
                script,
                "--role",
                "load",
                "--url",
                f"http://127.0.0.1:{port}/slack/events",
                "--events",
                str(args.events),
                "--warmup",
                str(args.warmup),
                "--rate",
                str(args.rate),
                "--seed",
                str(args.seed),
                "--result",
                str(result_path),
            )
            try:
                code = await asyncio.wait_for(load.wait(), args.budget)
            except TimeoutError:
                load.kill()
                raise RuntimeError(f"the load generator did not finish within {args.budget} s") from None
            if code != 0:
                raise RuntimeError(f"the load generator exited with {code}")
            load_done = time.perf_counter()
            await asyncio.sleep(0.2)  # listener tasks started right after the last acks
            idle = await adapter.idle(timeout=args.budget)
            drained = await _outbox_drained(core, args.budget)
            settled = time.perf_counter()
            cpu1 = _cpu()
        finally:
            if profiler is not None:
                profiler.disable()
                _write_profile(profiler)
            stop_lag.set()
            await lag_task
            for task in delivery:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            await process.stop()
        calls_path = workdir / "calls.json"
        assert fake.stdin is not None
        fake.stdin.write(f"dump {calls_path}\n".encode())
        await fake.stdin.drain()
        if await _line(fake, 30) != "DUMPED":
            raise RuntimeError("the fake Slack did not dump its calls")
        return {
            "load": json.loads(result_path.read_text()),
            "calls": json.loads(calls_path.read_text()),
            "idle": idle,
            "outbox_drained": drained,
            "startup_s": startup,
            "sample_chunks": report.chunks if report else None,
            "bot_cpu_s": cpu1 - cpu0,
            "bot_wall_s": settled - wall0,
            "load_wall_s": load_done - wall0,
            "loop_lag": summary_ms(lag),
            "log": {"counts": dict(counter.counts), "first": counter.first},
            "thread_pool_workers": min(32, (os.cpu_count() or 1) + 4),
        }
    finally:
        if fake.returncode is None:
            if fake.stdin is not None:
                fake.stdin.write(b"quit\n")
                fake.stdin.close()
            try:
                await asyncio.wait_for(fake.wait(), 10)
            except TimeoutError:
                fake.kill()


def _write_profile(profiler: Any) -> None:
    """The event-loop thread's profile (worker threads are not seen by cProfile)."""
    import io
    import pstats

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(OUT_DIR / "profile_slack_ack.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    (OUT_DIR / "profile_slack_ack.txt").write_text(text.getvalue())


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _outbox_drained(core: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(core.outbox.pending_count) == 0:
            return True
        await asyncio.sleep(0.1)
    return False


# -- verification and report --------------------------------------------------------------------------


def analyse(run: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    load, calls = run["load"], run["calls"]
    reqs = load["requests"]
    measured = [r for r in reqs if not r["warmup"]]
    ok_calls = [c for c in calls if c["error"] is None]
    # Every post in a question's thread counts as an answer to it.
    posts = Counter(
        (c["channel"], c["thread_ts"])
        for c in ok_calls
        if c["method"] == "chat.postMessage" and c["channel"] != EXPERTS_CHANNEL
    )
    post_time: dict[tuple[str, str], float] = {}
    for c in ok_calls:
        if c["method"] == "chat.postMessage" and c["channel"] != EXPERTS_CHANNEL:
            post_time.setdefault((c["channel"], c["thread_ts"]), c["t"])
    reactions = Counter(
        (c["method"], c["channel"], c["timestamp"]) for c in ok_calls if c["method"].startswith("reactions.")
    )

    first_send: dict[tuple[str, str], float] = {}
    for r in reqs:
        if r["answer_of"] == "self" or r["answer_of"] == "pair":
            key = (r["channel"], r["ts"])
            first_send[key] = min(first_send.get(key, r["wall"]), r["wall"])
    questions = sorted({(r["channel"], r["ts"]) for r in reqs if r["answer_of"] == "self"})
    silent = sorted({(r["channel"], r["ts"]) for r in reqs if r["kind"] in ("echo", "edit")})
    counts = Counter(posts.get(q, 0) for q in questions)
    once = counts.get(1, 0)
    never = [q for q in questions if posts.get(q, 0) == 0]
    twice = [q for q in questions if posts.get(q, 0) > 1]
    answered_silent = [s for s in silent if posts.get(s, 0)]
    known = set(questions)
    stray = sum(n for key, n in posts.items() if key not in known)
    react_twice = sum(1 for n in reactions.values() if n > 1)
    react_add = sum(1 for (m, _c, _t) in reactions if m == "reactions.add")
    expert_offers = sum(
        1 for c in ok_calls if c["method"] == "chat.postMessage" and c["channel"] == EXPERTS_CHANNEL
    )
    failed_calls = Counter(c["method"] for c in calls if c["error"] is not None)
    ephemeral = sum(1 for c in ok_calls if c["method"] == "chat.postEphemeral")
    exactly_once = (
        not never
        and not twice
        and not answered_silent
        and stray == 0
        and react_twice == 0
        and react_add == len(questions)
        and ephemeral == 0
        and run["idle"]
        and run["outbox_drained"]
    )

    statuses = Counter(r["status"] for r in reqs)
    lat = summary_ms([r["latency"] for r in measured])
    lat_by_kind = {
        k: summary_ms([r["latency"] for r in measured if r["kind"] == k])
        for k in sorted({r["kind"] for r in measured})
    }
    lags = [r["lag"] for r in measured]
    span = load["measured_send_seconds"]
    sent_rate = (len(measured) - 1) / span if span > 0 else float("nan")
    m0 = min(r["wall"] for r in measured)
    m_end = max(r["wall"] + r["latency"] for r in measured)
    acked_rate = len(measured) / (m_end - m0)
    answer_lat = [post_time[q] - first_send[q] for q in questions if q in post_time]
    last_answer = max(post_time.values()) if post_time else float("nan")
    measured_q = [q for q in questions if first_send[q] >= m0]
    checks = {
        "p99_ack_le_300ms": lat["p99_ms"] <= TARGET_P99_MS,
        "rate_achieved": sent_rate >= 0.95 * args.rate,
        "all_acked_200": set(statuses) == {200},
        "answered_exactly_once": exactly_once,
    }
    return {
        "config": {"events": args.events, "warmup": args.warmup, "rate": args.rate, "seed": args.seed},
        "requests": {
            "total": len(reqs),
            "measured": len(measured),
            "by_kind": dict(Counter(r["kind"] for r in measured)),
            "statuses": {str(k): v for k, v in statuses.items()},
            "errors": [r.get("error") for r in reqs if r.get("error")][:5],
        },
        "ack_latency": lat,
        "ack_latency_by_kind": lat_by_kind,
        "send_lag": summary_ms(lags),
        "throughput": {
            "offered_rate": args.rate,
            "sent_per_s": sent_rate,
            "acked_per_s": acked_rate,
            "measured_questions": len(measured_q),
            "last_answer_after_first_send_s": last_answer - m0,
            "last_answer_after_last_send_s": last_answer - max(r["wall"] for r in measured),
            "answers_per_s": len(measured_q) / (last_answer - m0) if post_time else float("nan"),
        },
        "answer_latency": summary_ms(answer_lat),
        "exactly_once": {
            "ok": exactly_once,
            "questions": len(questions),
            "answered_once": once,
            "unanswered": len(never),
            "answered_more_than_once": len(twice),
            "silent_events": len(silent),
            "silent_answered": len(answered_silent),
            "stray_posts": stray,
            "reactions_add": react_add,
            "reactions_twice": react_twice,
            "ephemeral_posts": ephemeral,
            "expert_channel_offers": expert_offers,
            "failed_api_calls": dict(failed_calls),
            "adapter_idle": run["idle"],
            "outbox_drained": run["outbox_drained"],
            "examples": {"unanswered": never[:5], "twice": twice[:5], "silent": answered_silent[:5]},
        },
        "bot": {
            "startup_s": run["startup_s"],
            "sample_chunks": run["sample_chunks"],
            "cpu_s": run["bot_cpu_s"],
            "wall_s": run["bot_wall_s"],
            "cpu_share_of_one_core": run["bot_cpu_s"] / run["bot_wall_s"],
            "event_loop_lag": run["loop_lag"],
            "thread_pool_workers": run["thread_pool_workers"],
            "log": run["log"],
        },
        "checks": checks,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }


def print_report(r: dict[str, Any]) -> None:
    lat, thr, ex, bot = r["ack_latency"], r["throughput"], r["exactly_once"], r["bot"]

    def row(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        mark = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {name:<38} {value:>22}  {target:<18} {mark}")

    c = r["config"]
    print(
        f"\nSlack ack benchmark: {r['requests']['measured']} events at {c['rate']:g}/s "
        f"(+{c['warmup']} warm-up), seed {c['seed']}"
    )
    print(f"  kinds: {r['requests']['by_kind']}")
    print(f"  {'figure':<38} {'value':>22}  {'target':<18}")
    row("ack latency p50 / p95", f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f} ms")
    row(
        "ack latency p99",
        f"{lat['p99_ms']:.1f} ms",
        f"<= {TARGET_P99_MS:.0f} ms",
        r["checks"]["p99_ack_le_300ms"],
    )
    row("ack latency max", f"{lat['max_ms']:.1f} ms")
    row(
        "sent events/s (offered)",
        f"{thr['sent_per_s']:.1f} ({c['rate']:g})",
        f">= {0.95 * c['rate']:.1f}",
        r["checks"]["rate_achieved"],
    )
    row("acked events/s", f"{thr['acked_per_s']:.1f}")
    row("HTTP statuses", json.dumps(r["requests"]["statuses"]), "all 200", r["checks"]["all_acked_200"])
    row("answered exactly once", f"{ex['answered_once']}/{ex['questions']}", "all", ex["ok"])
    row("  unanswered / answered twice+", f"{ex['unanswered']} / {ex['answered_more_than_once']}", "0 / 0")
    row("  silent events answered", f"{ex['silent_answered']}/{ex['silent_events']}", "0")
    row("  stray posts / double reactions", f"{ex['stray_posts']} / {ex['reactions_twice']}", "0 / 0")
    row("  expert-channel offers (outbox)", str(ex["expert_channel_offers"]))
    ans = r["answer_latency"]
    row("answer latency p50 / p99", f"{ans['p50_ms']:.0f} / {ans['p99_ms']:.0f} ms")
    row("last answer after first send", f"{thr['last_answer_after_first_send_s']:.2f} s")
    row("last answer after last send", f"{thr['last_answer_after_last_send_s']:.2f} s")
    row("questions answered/s (to last answer)", f"{thr['answers_per_s']:.1f}")
    row("bot CPU (share of one core)", f"{bot['cpu_share_of_one_core'] * 100:.0f} %")
    row(
        "bot event-loop lag p99 / max",
        f"{bot['event_loop_lag']['p99_ms']:.1f} / {bot['event_loop_lag']['max_ms']:.1f} ms",
    )
    row("generator send lag p99 / max", f"{r['send_lag']['p99_ms']:.1f} / {r['send_lag']['max_ms']:.1f} ms")
    if bot["log"]["counts"]:
        print(f"  bot log: {bot['log']['counts']}; first: {bot['log']['first'][:3]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=500, help="measured requests (default 500)")
    ap.add_argument("--warmup", type=int, default=10, help="warm-up requests before them (default 10)")
    ap.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=120.0, help="time limit for the load and the answers (s)")
    ap.add_argument("--out", type=Path, default=OUT_DIR / "bench_slack_ack.json")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the bot's event-loop thread into bench/out/profile_slack_ack.{prof,txt}",
    )
    ap.add_argument("--role", choices=("bot", "fake", "load"), default="bot", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not 1 <= args.events <= 20000 or not 0 < args.rate <= 2000 or not 0 <= args.warmup <= 1000:
        ap.error("--events must be 1..20000, --rate 0..2000, --warmup 0..1000")
    if args.role == "fake":
        asyncio.run(run_fake())
        return 0
    if args.role == "load":
        asyncio.run(run_load(args))
        return 0

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    workdir = Path(tempfile.mkdtemp(prefix="bench_slack_ack_"))
    try:
        run = asyncio.run(run_bot(args, workdir))
    except Exception as exc:  # noqa: BLE001 - report and fail with 2
        print(f"run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = analyse(run, args)
    print_report(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if report["checks"]["answered_exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
