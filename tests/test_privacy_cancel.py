"""/annuleren, the one word for "stop what I started", also stops a forget-me in its grace period."""

from __future__ import annotations

from bot.privacy.feature import PV_FORGET_OK
from bot.texts import t
from tests.test_privacy import MEMBER, NAME, base, make  # noqa: F401  (fixtures)


def test_annuleren_stops_a_pending_forget_me_and_says_so(make):  # noqa: F811
    p = make(forget_grace_hours=24)
    p.say(MEMBER, "Wat is kunst op recept?", name=NAME)
    person = p.w.core.people.person(*MEMBER)
    p.do(MEMBER, "vergeet_mij")
    p.press(MEMBER, PV_FORGET_OK, person.id)
    [stopped] = p.do(MEMBER, "annuleren")
    assert t("pv_forget_cancelled", "nl") in stopped.text
    p.w.clock.advance(hours=48)
    assert not any(name.startswith("privacy.forget") for name in p.w.core.scheduler.run_due())
    assert p.w.core.people.find(*MEMBER) is not None
    # Nothing pending any more: /annuleren says there is nothing to stop.
    [nothing] = p.do(MEMBER, "annuleren")
    assert nothing.text == t("cancel_nothing", "nl")
