#!/usr/bin/env python
"""Fan-out benchmark: one announcement to 50 channels per platform, through the real adapters.

A temporary SQLite data dir (empty knowledge base), the real bot core, the real Slack adapter
against the local fake Slack Web API and the real Telegram adapter against the in-process fake Bot
API, both with their optional rate limits switched on (Slack ~1 message per second per channel,
429 + Retry-After; Telegram 30 per second overall and 20 per minute per group, 429 retry_after).

The announcement is queued (one outbox row per channel), then delivered the way `verbinder run`
delivers (`Outbox.deliver` in a loop per platform with the outbox's pacing); then it is edited, which updates
every posted message again (chat.update, editMessageText) right after the posts. Timed per
platform from the start of each phase to that platform's last call. `--unpaced` runs the same
without the pacer, to show what the limits do to a burst. Writes bench/out/bench_fanout.json.

    python bench/bench_fanout.py                 # 50 channels per platform, paced
    python bench/bench_fanout.py --unpaced       # the same burst without the pacer
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):  # the fakes live with the tests
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ["ANONYMIZED_TELEMETRY"] = "False"
for key in list(os.environ):  # no developer settings or .env may leak into the run
    if key.startswith(("VERBINDER_", "SLACK_", "TELEGRAM_")):
        del os.environ[key]

from support.docs import make_settings  # noqa: E402
from support.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack  # noqa: E402
from support.fake_telegram import BASE_URL, TOKEN, FakeBotApi  # noqa: E402

from adapters.slack.adapter import SlackAdapter  # noqa: E402
from adapters.telegram.adapter import TelegramAdapter  # noqa: E402
from app.runtime import build_runtime  # noqa: E402
from bot.delivery.pacing import Pacer  # noqa: E402
from bot.messages import Posted, Reply  # noqa: E402

OUT = ROOT / "bench" / "out" / "bench_fanout.json"


class Timed:
    """A platform adapter that notes when its last call of the phase finished."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last = 0.0
        self.calls = 0

    def _done(self) -> None:
        self.last, self.calls = time.perf_counter(), self.calls + 1

    async def send(self, reply: Reply) -> list[Posted]:
        posted: list[Posted] = await self.inner.send(reply)
        self._done()
        return posted

    async def update(self, posted: Posted, reply: Reply) -> None:
        await self.inner.update(posted, reply)
        self._done()

    async def delete(self, posted: Posted) -> None:
        await self.inner.delete(posted)
        self._done()


async def run(channels: int, paced: bool, workdir: Path) -> dict[str, Any]:
    slack_ids = [f"C0FAN{i:04d}" for i in range(channels)]
    tg_ids = [str(-1001000000000 - i) for i in range(channels)]
    fake = await FakeSlack(rate_limit=True).start()
    api = FakeBotApi()
    api.rate_limit = True
    for chat in tg_ids:
        api.chat(int(chat), title="Bench")
    settings = make_settings(
        workdir / "data",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_mode="http",
        slack_api_url=fake.url,
        telegram_bot_token=TOKEN,
        telegram_api_url=BASE_URL,
        telegram_webhook_url="",
        announcement_channels_slack=",".join(slack_ids),
        announcement_channels_telegram=",".join(tg_ids),
    )
    core = build_runtime(settings).bot()
    slack = SlackAdapter(settings, core.service)
    telegram = TelegramAdapter(settings, core.service, request=api)
    await slack.start()
    await telegram.start()
    senders = {"slack": Timed(slack), "telegram": Timed(telegram)}
    pacer = Pacer() if paced else None
    phases: dict[str, Any] = {}
    try:
        store = core.announcements.store
        ann = store.create("cli", "Bench: de open dag is zaterdag van 10 tot 16 uur.")
        for phase in ("post", "edit"):
            if phase == "edit":
                store.edit(ann.id, "Bench: de open dag is zaterdag van 11 tot 17 uur.", "cli")
            for s in senders.values():
                s.calls = 0
            start = time.perf_counter()

            async def drain(one: dict[str, Any]) -> None:  # one loop per platform, as Outbox.run
                while await core.outbox.deliver(one, pacer=pacer):
                    pass

            await asyncio.gather(*(drain({p: s}) for p, s in senders.items()))
            phases[phase] = {
                p: {"calls": s.calls, "seconds": round(max(0.0, s.last - start), 2)}
                for p, s in senders.items()
            }
        delivered = store.get(ann.id)
        phases["delivered"] = f"{delivered.delivered} of {len(delivered.deliveries)}"
        phases["failed_rows"] = len(core.outbox.unsent(failed_only=True))
    finally:
        await telegram.stop()
        await slack.stop()
        await fake.close()
    phases["429"] = {"slack": fake.rate_limited, "telegram": api.rate_limited}
    return phases


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--channels", type=int, default=50, help="channels per platform")
    ap.add_argument("--unpaced", action="store_true", help="deliver without the outbox's pacer")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(args.channels, not args.unpaced, Path(tmp)))
    result = {"channels_per_platform": args.channels, "paced": not args.unpaced, **result}
    for phase in ("post", "edit"):
        for platform, r in result[phase].items():
            print(f"{phase:5} {platform:9} {r['calls']:3} calls in {r['seconds']:6.2f} s")
    print(f"delivered {result['delivered']}; failed rows {result['failed_rows']}; 429s {result['429']}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
