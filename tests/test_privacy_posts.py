"""Forget-me takes a name out of the bot's posts to other people, long after they were sent."""

from __future__ import annotations

from bot.privacy.feature import PV_FORGET_OK
from tests.test_privacy import EXPERT, EXPERT_NAME, GROUP, active_member, base, make  # noqa: F401


def test_the_answer_that_credited_a_forgotten_expert_is_edited_to_credit_a_member(make):  # noqa: F811
    p = make(forget_grace_hours=0)
    active_member(p)  # the expert's answer went to the member's group, naming the expert
    credited = [r for r in p.telegram.posts if r.chat.chat_id == GROUP and EXPERT_NAME in r.text]
    assert credited, "the delivered answer names the expert"
    expert = p.w.core.people.person(*EXPERT)
    p.do(EXPERT, "vergeet_mij")
    p.press(EXPERT, PV_FORGET_OK, expert.id)
    p.w.clock.advance(minutes=1)
    p.w.core.scheduler.run_due()
    p.deliver()
    edited = [(posted, text) for posted, text in p.telegram.updates if posted.chat_id == GROUP]
    assert edited and all(EXPERT_NAME not in text and "Vlinderbloem" not in text for _, text in edited)
    assert any("een lid" in text for _, text in edited)
    # The post itself stays (it answered someone else), so nothing in the group is deleted for it.
    assert not [d for d in p.telegram.deletes if d.chat_id == GROUP]
