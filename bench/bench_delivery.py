#!/usr/bin/env python
"""Delivery benchmark: how long from an expert's answer to its delivery on the asker's platform?

One process runs the real `verbinder run` plumbing (adapters/runner.serve: the Slack adapter in
HTTP mode and the Telegram adapter in webhook mode on one local port, plus the outbox dispatcher)
on a temporary SQLite/Chroma data dir with the test fixture corpus. Only the platforms are fake:
the local fake Slack Web API of tests/support/fake_slack.py and the in-process fake Bot API of
tests/support/fake_telegram.py, both stamping every call they receive with time.perf_counter().

Per routed question, in both directions:

  slack->telegram   a Telegram member asks privately; the Slack expert answers in the thread of
                    the offer in her DM (a signed message.im event posted to /slack/events);
                    the answer is delivered by sendMessage to the member's Telegram chat.
  telegram->slack   a Slack member mentions the bot in a channel; the Telegram expert answers by
                    replying to the offer (an update posted to /telegram/webhook with the secret
                    header); the answer is delivered by chat.postMessage in the question's thread.

The delay is measured from just before the answer is posted to the bot's HTTP endpoint to the
moment the fake platform records the delivery to the asker. Two modes:

  wake   as `verbinder run` runs: the core notifies the outbox when it queues something and the
         dispatcher sends at once;
  poll   the notification is switched off for the answer, so only the dispatcher's polling
         interval delivers it (the fallback, e.g. for rows queued by another replica).

Prints a table, writes bench/out/bench_delivery.json. A benchmark script, not a test.

    python bench/bench_delivery.py                  # 50 questions per direction (wake), 10 (poll)
    python bench/bench_delivery.py --questions 10   # quick check
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):  # the fakes and the fixture corpus live with the tests
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ["ANONYMIZED_TELEMETRY"] = "False"
for key in list(os.environ):  # no developer settings or .env may leak into the run
    if key.startswith(("VERBINDER_", "SLACK_", "TELEGRAM_")):
        del os.environ[key]

import aiohttp  # noqa: E402
import support.docs as _docs  # noqa: E402
from support.fake_slack import BOT_USER, SIGNING_SECRET, Call, FakeSlack  # noqa: E402
from support.fake_telegram import FakeBotApi, user  # noqa: E402
from support.slack_payloads import envelope, mention_event, message_event, new_ts  # noqa: E402
from support.stack import stack_settings  # noqa: E402

from adapters.runner import make_adapters, serve  # noqa: E402
from adapters.slack.api import signed_headers  # noqa: E402
from adapters.telegram.adapter import SECRET_HEADER, WEBHOOK_PATH  # noqa: E402
from app.runtime import BotCore, Runtime, build_runtime  # noqa: E402
from bot.config import Settings  # noqa: E402

T = TypeVar("T")
OUT = ROOT / "bench" / "out" / "bench_delivery.json"
SECRET = "bench_Secret-1"
ASK_KOOR = "Hoe vind ik een koor voor mijn moeder met dementie in Utrecht?"  # -> Sanne (Slack)
ASK_FONDS = "Welk fonds betaalt een theaterproject met jongeren in Rotterdam?"  # -> Fatima (Telegram)
SANNE, FATIMA, ANNA = "U0SANNE01", user(8801, "Fatima"), user(4201, "Anna")
DIRECTIONS = ("slack->telegram", "telegram->slack")


class StampedSlack(FakeSlack):
    """The fake Slack, stamping each call with the time it was recorded."""

    async def _record(self, call: Call) -> None:
        call.at = time.perf_counter()  # type: ignore[attr-defined]
        await super()._record(call)


class StampedBotApi(FakeBotApi):
    """The fake Bot API, stamping each call with the time it was answered."""

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        n = len(self.calls)  # do_request appends its Call before its first await
        result = await super().do_request(url, method, request_data, *args, **kwargs)
        self.calls[n].at = time.perf_counter()  # type: ignore[attr-defined]
        return result


async def eventually(probe: Callable[[], T], timeout: float, what: str, every: float = 0.001) -> T:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(every)
    return found


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(q / 100 * len(ordered))) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "p50_ms": round(pct(values, 50) * 1000, 1),
        "p95_ms": round(pct(values, 95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(sum(values) / len(values) * 1000, 1),
    }


class Bench:
    """One running bot with both fake platforms, and the steps of one routed question."""

    def __init__(
        self,
        core: BotCore,
        settings: Settings,
        slack: StampedSlack,
        tg: StampedBotApi,
        http: aiohttp.ClientSession,
    ) -> None:
        self.core, self.settings, self.slack, self.tg, self.http = core, settings, slack, tg, http
        self.base = f"http://127.0.0.1:{settings.http_port}"
        self.timeout = 15.0
        self.rng = random.Random(1)

    async def slack_event(self, event: dict[str, Any]) -> None:
        body = json.dumps(envelope(event))
        headers = {"Content-Type": "application/json", **signed_headers(SIGNING_SECRET, body)}
        async with self.http.post(self.base + "/slack/events", data=body.encode(), headers=headers) as r:
            assert r.status == 200, r.status

    async def tg_update(self, update: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: SECRET}
        async with self.http.post(self.base + WEBHOOK_PATH, json=update, headers=headers) as r:
            assert r.status == 200, r.status

    async def settled(self) -> None:
        """Wait until the outbox has sent everything (and linked the sent messages to their question).

        An expert reads an offer before answering it; an answer that arrived in the milliseconds between
        the platform showing the offer and the outbox recording its message id would not be recognised
        as a reply to the offer (see bench/README.md).
        """
        await eventually(
            lambda: self.core.outbox.pending_count() == 0, self.timeout, "an empty outbox", every=0.002
        )

    def _posts(self, channel: str) -> list[Call]:
        return [c for c in self.slack.to("chat.postMessage") if c.args["channel"] == channel]

    async def slack_to_telegram(self, asker: dict[str, Any], poll: bool) -> float:
        """A Telegram member asks, the Slack expert answers: seconds from answer to delivery."""
        offers_before = len(self._posts(SANNE))
        sent_before = len(self.tg.sent(asker["id"]))
        msg = self.tg.message(self.tg.chats[asker["id"]], asker, ASK_KOOR)
        await self.tg_update(self.tg.update(message=msg))
        offers = await eventually(
            lambda: len(self._posts(SANNE)) > offers_before and self._posts(SANNE),
            self.timeout,
            "the offer to the Slack expert",
        )
        offer = offers[offers_before]
        await eventually(
            lambda: len(self.tg.sent(asker["id"])) > sent_before, self.timeout, "the routed reply"
        )
        await self.settled()
        answer = message_event(
            offer.result["channel"],
            f"Antwoord op {msg['message_id']}: Stemmig.",
            user=SANNE,
            thread_ts=offer.result["ts"],
            channel_type="im",
        )
        return await self._measure(
            lambda: self.slack_event(answer),
            poll,
            lambda: [c for c in self.tg.sent(asker["id"])[sent_before + 1 :] if c.params.get("reply_markup")],
        )

    async def telegram_to_slack(self, channel: str, poll: bool) -> float:
        """A Slack member asks in a channel, the Telegram expert answers: seconds from answer to delivery."""
        offers_before = len(self.tg.sent(FATIMA["id"]))
        ts = new_ts()
        await self.slack_event(mention_event(channel, f"<@{BOT_USER}> {ASK_FONDS}", user="U0MEMBER2", ts=ts))
        offers = await eventually(
            lambda: len(self.tg.sent(FATIMA["id"])) > offers_before and self.tg.sent(FATIMA["id"]),
            self.timeout,
            "the Telegram offer",
        )
        offer = offers[offers_before]
        await eventually(lambda: self._posts(channel), self.timeout, "the routed reply")
        await self.settled()
        reply = self.tg.message(
            self.tg.chats[FATIMA["id"]], FATIMA, f"Antwoord op {ts}: het Jeugdfonds.", reply_to=offer.result
        )
        update = self.tg.update(message=reply)
        return await self._measure(
            lambda: self.tg_update(update),
            poll,
            lambda: [c for c in self._posts(channel)[1:] if c.args.get("thread_ts") == ts],
        )

    async def _measure(
        self, post: Callable[[], Any], poll: bool, delivered: Callable[[], list[Any]]
    ) -> float:
        if poll:
            # The answer arrives at a random moment of the polling interval (right after a look it
            # would wait a whole one), and only the polling delivers it.
            await asyncio.sleep(self.rng.uniform(0, min(5.0, self.settings.timer_interval_seconds)))
            self.core.outbox.notify = lambda: None  # type: ignore[method-assign]
        try:
            started = time.perf_counter()
            await post()
            [call] = await eventually(
                delivered,
                self.timeout + 2 * self.settings.timer_interval_seconds,
                "the delivery to the asker",
            )
        finally:
            self.core.outbox.__dict__.pop("notify", None)
        await self.settled()  # the rest of this answer (the thank-you to the expert) goes out too
        return float(call.at) - started


@contextlib.asynccontextmanager
async def running(rt: Runtime, interval: float) -> AsyncIterator[Bench]:
    """serve() with both fake platforms; the dispatcher polls every min(5 s, interval)."""
    slack = await StampedSlack().start()
    tg = StampedBotApi()
    for person in (FATIMA, ANNA):
        tg.chat(person["id"], first_name=person["first_name"])
    settings = stack_settings(rt, slack, telegram_webhook_secret=SECRET, timer_interval_seconds=interval)
    core = replace(rt, settings=settings).bot()
    core.experts.add(
        "Sanne",
        slack_user_id=SANNE,
        expertise="dementie en muziek, zingen met ouderen",
        tags="dementie, muziek, koor",
        regions="Utrecht",
        capacity=100,
        update=True,
    )
    core.experts.add(
        "Fatima",
        telegram_user_id=str(FATIMA["id"]),
        capacity=100,
        update=True,
        expertise="financiering en fondsen voor kunstprojecten en theater met jongeren",
        tags="financiering, fondsen",
    )
    adapters = make_adapters(settings, core.service, telegram_request=tg)
    started, stop = asyncio.Event(), asyncio.Event()

    async def until() -> None:
        started.set()
        await stop.wait()

    server = asyncio.create_task(serve(settings, core, until, adapters=adapters))
    await asyncio.wait([server, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if server.done():
        server.result()
    try:
        async with aiohttp.ClientSession() as http:
            yield Bench(core, settings, slack, tg, http)
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)
        await slack.close()


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    corpus = _docs.write_corpus(workdir / "corpus")
    t0 = time.perf_counter()
    rt = build_runtime(Settings(data_dir=workdir / "data", sample_kb=False, _env_file=None))
    assert rt.ingest([corpus]).ok
    setup_s = time.perf_counter() - t0
    default_interval = float(Settings.model_fields["timer_interval_seconds"].default)
    samples: dict[str, dict[str, list[float]]] = {m: {d: [] for d in DIRECTIONS} for m in ("wake", "poll")}
    deadline = time.monotonic() + args.budget
    cut_short = False
    problems: list[str] = []
    # wake: as `verbinder run` runs by default (polling backstop every 5 s); poll: notify switched off.
    for mode, n, interval in (
        ("wake", args.questions, default_interval),
        ("poll", args.poll_questions, args.poll_interval),
    ):
        async with running(rt, interval) as bench:
            for warm in range(args.warmup):  # first requests pay for imports and connection set-up
                await bench.slack_to_telegram(ANNA, poll=False)
                await bench.telegram_to_slack(f"C0WARM{warm:04d}", poll=False)
            for i in range(n):
                if time.monotonic() > deadline:
                    cut_short = True
                    break
                poll = mode == "poll"
                samples[mode]["slack->telegram"].append(await bench.slack_to_telegram(ANNA, poll))
                channel = f"C0{mode.upper()}{i:04d}"
                samples[mode]["telegram->slack"].append(await bench.telegram_to_slack(channel, poll))
        problems += bench.tg.errors + [f"{c.method}: {c.error}" for c in bench.slack.calls if c.error]
    return {
        "benchmark": "delivery",
        "setup_s": round(setup_s, 2),
        "intervals_s": {"wake": min(5.0, default_interval), "poll": min(5.0, args.poll_interval)},
        "results": {m: {d: summary(v) for d, v in by.items()} for m, by in samples.items()},
        "samples_ms": {
            m: {d: [round(x * 1000, 2) for x in v] for d, v in by.items()} for m, by in samples.items()
        },
        "cut_short": cut_short,
        "platform_errors": problems,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }


def table(results: dict[str, Any]) -> str:
    head = ("mode", "direction", "n", "p50 ms", "p95 ms", "max ms", "mean ms")
    lines = ["{:<6} {:<17} {:>4} {:>9} {:>9} {:>9} {:>9}".format(*head)]
    for mode, by in results["results"].items():
        for direction, s in by.items():
            if s:
                lines.append(
                    f"{mode:<6} {direction:<17} {s['n']:>4} {s['p50_ms']:>9.1f} {s['p95_ms']:>9.1f} "
                    f"{s['max_ms']:>9.1f} {s['mean_ms']:>9.1f}"
                )
    iv = results["intervals_s"]
    lines.append(
        f"dispatcher polling interval: wake {iv['wake']:g} s (the default: min(5 s, "
        f"VERBINDER_TIMER_INTERVAL_SECONDS)), poll {iv['poll']:g} s (--poll-interval)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=int, default=50, help="routed questions per direction, wake mode")
    p.add_argument("--poll-questions", type=int, default=10, help="routed questions per direction, poll mode")
    p.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        help="timer_interval_seconds in poll mode; the dispatcher polls every min(5, this) s",
    )
    p.add_argument("--warmup", type=int, default=2, help="unmeasured questions per direction first")
    p.add_argument("--budget", type=float, default=45.0, help="stop measuring after this many seconds")
    p.add_argument("--verbose", action="store_true", help="show the bot's log")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench_delivery_") as tmp:
        results = asyncio.run(run(args, Path(tmp)))
    print(table(results))
    if results["cut_short"]:
        print(f"(stopped early: --budget {args.budget:g} s reached)")
    if results["platform_errors"]:
        print("platform errors:", *results["platform_errors"], sep="\n  ")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 1 if results["platform_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
