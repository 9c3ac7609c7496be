"""Features plug into the service through Service.register: commands, buttons, listeners, jobs, hooks.

A name can be claimed once; the command registry feeds the help, the Slack manifest and the
Telegram menu, so what the assembled bot answers to is what it advertises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from adapters.slack.manifest import manifest
from adapters.telegram.menu import menus
from app.runtime import ALL_COMMANDS, Runtime
from bot.commands import Command, CommandRegistry, CommandSpec, RegistrationError
from bot.delivery.outbox import Outbox
from bot.delivery.scheduler import Job, Scheduler
from bot.messages import ASK_EXPERT, CLAIM, Action, ChatRef, Incoming, Reply
from bot.service import Contribution, Service
from bot.texts import t

KOOR_Q = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
UNANSWERABLE = "Wat is de hoofdstad van Mongolië?"


@dataclass
class Toy:
    """A feature made of whatever a test gives it."""

    name: str = "toy"
    given: Contribution = field(default_factory=Contribution)

    def contribution(self) -> Contribution:
        return self.given


def _echo(msg: Incoming, arg: str, lang: str) -> list[Reply]:
    return [Reply(chat=msg.chat, text=f"echo {arg}", language=lang, kind="notice")]


def _msg(text: str, **kw: object) -> Incoming:
    return Incoming(ChatRef("test", "D9"), f"m-{id(kw)}-{text}", "U9", text, direct=True, **kw)  # type: ignore[arg-type]


@pytest.fixture
def rt(kb) -> Runtime:
    return kb.rt


def test_a_feature_command_is_answered_by_its_handler(rt):
    svc = rt.service()
    svc.register(Toy(given=Contribution(commands=(Command(CommandSpec("echo", aliases=("e",)), _echo),))))
    [r] = svc.respond(_msg("hallo", command="echo"))
    [a] = svc.respond(_msg("hoi", command="E"))
    assert (r.text, a.text) == ("echo hallo", "echo hoi")
    assert "echo" in svc.commands and "e" in svc.commands.names() and "toy" in svc.features


@pytest.mark.parametrize(
    "given",
    [
        Contribution(commands=(Command(CommandSpec("vraag"), _echo),)),  # the service's own command
        Contribution(commands=(Command(CommandSpec("iets", aliases=("help",)), _echo),)),  # an alias
        Contribution(  # the second of two commands clashes: the first is not added either
            commands=(Command(CommandSpec("nieuw"), _echo), Command(CommandSpec("hulp"), _echo))
        ),
        Contribution(actions={ASK_EXPERT: lambda act: []}),  # the service's own button
    ],
)
def test_a_taken_name_is_refused_and_nothing_is_half_registered(rt, given):
    svc = rt.service()
    before = (svc.commands.names(), dict(svc.actions))
    with pytest.raises(RegistrationError):
        svc.register(Toy(given=given))
    assert "toy" not in svc.features
    assert before == (svc.commands.names(), dict(svc.actions))


def test_a_feature_is_registered_once(rt):
    svc = rt.service()
    svc.register(Toy())
    with pytest.raises(RegistrationError, match="toy"):
        svc.register(Toy())


def test_jobs_and_outbox_hooks_need_a_scheduler_and_an_outbox(rt):
    job = Job("toy.job", lambda now, payload: None, every=timedelta(minutes=1))
    with pytest.raises(RegistrationError, match="scheduler"):
        rt.service().register(Toy(given=Contribution(jobs=(job,))))
    with pytest.raises(RegistrationError, match="outbox"):
        rt.service().register(Toy(given=Contribution(on_sent={"toy": lambda s, item, posted: None})))
    scheduler = Scheduler(rt.sessions)
    svc = Service(rt.assistant, rt.service().store, outbox=Outbox(rt.sessions), scheduler=scheduler)
    svc.register(Toy(given=Contribution(jobs=(job,))))
    assert scheduler.jobs == {"toy.job": job}


def test_a_taken_job_or_outbox_purpose_is_refused_before_anything_is_added(rt):
    job = Job("toy.job", lambda now, payload: None, every=timedelta(minutes=1))
    outbox, scheduler = Outbox(rt.sessions), Scheduler(rt.sessions)
    svc = Service(rt.assistant, rt.service().store, outbox=outbox, scheduler=scheduler)
    svc.register(Toy("one", Contribution(jobs=(job,), on_sent={"toy": lambda s, item, posted: None})))
    echo = (Command(CommandSpec("echo"), _echo),)
    for given in (
        Contribution(commands=echo, jobs=(job,)),
        Contribution(commands=echo, on_sent={"toy": lambda s, item, posted: None}),
    ):
        with pytest.raises(RegistrationError):
            svc.register(Toy("two", given))
        assert "echo" not in svc.commands and "two" not in svc.features


def test_a_route_listener_with_nothing_to_say_still_gets_the_asker_an_answer(rt):
    svc = rt.service()
    svc.register(Toy(given=Contribution(on_route=(lambda qid, actor: None,))))
    [a] = svc.handle(_msg(KOOR_Q))
    [n] = svc.handle_action(Action(ChatRef("test", "D9"), "U9", ASK_EXPERT, a.question_id))
    assert n.text == t("expert_requested", "nl")


def test_every_route_listener_hears_a_routed_question_and_the_asker_hears_them_all(rt):
    svc = rt.service()
    heard: list[tuple[str, int, str]] = []

    def listener(name: str, says: str | None):  # type: ignore[no-untyped-def]
        def hear(qid: int, actor: str) -> str | None:
            heard.append((name, qid, actor))
            return says

        return hear

    svc.register(Toy("experts", Contribution(on_route=(listener("experts", "Een expert kijkt ernaar."),))))
    svc.register(Toy("gaps", Contribution(on_route=(listener("gaps", None),))))  # only records
    [r] = svc.handle(_msg(UNANSWERABLE))
    assert r.routed and r.text == f"{t('not_found', 'nl')}\n\nEen expert kijkt ernaar."
    assert heard == [("experts", r.question_id, "bot"), ("gaps", r.question_id, "bot")]
    # The button on an answered question reaches the same listeners, with the member as actor.
    [a] = svc.handle(_msg(KOOR_Q))
    [n] = svc.handle_action(Action(ChatRef("test", "D9"), "U9", ASK_EXPERT, a.question_id))
    assert n.text == "Een expert kijkt ernaar." and heard[-1] == ("gaps", a.question_id, "U9")


def test_presses_of_a_feature_button_reach_the_feature(rt):
    svc = rt.service()
    pressed: list[Action] = []
    svc.register(Toy(given=Contribution(actions={CLAIM: lambda act: pressed.append(act) or []})))
    [a] = svc.handle(_msg(KOOR_Q))
    assert svc.knows_action(CLAIM) and not svc.knows_action("open_dashboard")
    assert svc.handle_action(Action(ChatRef("test", "D9"), "U9", CLAIM, a.question_id)) == []
    assert [p.action for p in pressed] == [CLAIM]
    assert svc.handle_action(Action(ChatRef("test", "D9"), "U9", "open_dashboard", a.question_id)) == []


def test_the_assembled_bot_advertises_exactly_what_it_answers(rt):
    registry = rt.bot().service.commands
    assert sorted(s.name for s in registry.specs()) == sorted(s.name for s in ALL_COMMANDS)
    slack = {
        c["command"].lstrip("/")
        for c in manifest(registry.specs(), rt.settings)["features"]["slash_commands"]
    }
    assert slack <= registry.names() and {"vraag", "ask", "expert", "antwoord"} <= slack
    for lang, commands in menus(registry.specs()):
        assert [c.command for c in commands][:4] == ["vraag", "ask", "expert", "help"], lang
        assert all(c.command in registry for c in commands)


def test_the_registry_refuses_a_name_twice_and_orders_by_rank():
    reg = CommandRegistry()
    reg.add(Command(CommandSpec("b", rank=2), _echo))
    reg.add(Command(CommandSpec("a", rank=1, aliases=("x",)), _echo))
    with pytest.raises(RegistrationError, match="/X is already the command /a"):
        reg.add(Command(CommandSpec("c", aliases=("X",)), _echo))
    assert [s.name for s in reg.specs()] == ["a", "b"] and reg.get("X") is not None and "c" not in reg
