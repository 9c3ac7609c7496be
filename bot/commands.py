"""The one command registry: every slash command, who it is for, and where it is advertised.

Features declare their commands as `CommandSpec`s; the service binds each to a handler. The same
registry answers commands, and builds the Slack manifest and the Telegram command menu.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bot.messages import Incoming, Reply

# handler(message, argument after the command, reply language) -> replies
Handler = Callable[[Incoming, str, str], list[Reply]]

MEMBER = "member"
EXPERT = "expert"
MODERATOR = "moderator"


class RegistrationError(ValueError):
    """Two features claim the same command, action, job or name."""


@dataclass(frozen=True)
class CommandSpec:
    """A command as people see it; its texts are `command_<name>` and `slack_usage_<name>`."""

    name: str  # without the slash, lower case
    aliases: tuple[str, ...] = ()  # other names that run it (typed, never advertised)
    language: str = "nl"  # the language of the name: its menu and manifest text are in it
    audience: str = MEMBER  # member | expert | moderator (who it is meant for)
    asks: bool = False  # its argument is a question, answered visibly where it was asked
    names_people: bool = False  # its argument names people (adapters hand them over as @<user id>)
    slack: bool = False  # a slash command in the Slack app manifest
    menu: bool = False  # in the Telegram command menu
    rank: int = 100  # position in menus and manifests (low first)

    @property
    def description_key(self) -> str:
        """The text key of the one-line description."""
        return f"command_{self.name}"

    @property
    def usage_key(self) -> str:
        """The text key of the argument hint (Slack shows it while typing)."""
        return f"slack_usage_{self.name}"

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Command:
    """A command bound to the function that answers it."""

    spec: CommandSpec
    handler: Handler


def ordered(specs: Iterable[CommandSpec]) -> list[CommandSpec]:
    """Specs in menu order."""
    return sorted(specs, key=lambda s: (s.rank, s.name))


class CommandRegistry:
    """Commands by every name they answer to; a name can belong to one command only."""

    def __init__(self) -> None:
        self._by_name: dict[str, Command] = {}
        self._commands: list[Command] = []

    def add(self, command: Command) -> None:
        """Register a command; raises RegistrationError when one of its names is taken."""
        for name in command.spec.names:
            taken = self._by_name.get(name.lower())
            if taken is not None:
                raise RegistrationError(f"/{name} is already the command /{taken.spec.name}")
        for name in command.spec.names:
            self._by_name[name.lower()] = command
        self._commands.append(command)

    def get(self, name: str) -> Command | None:
        """The command a typed name runs (case-insensitive), or None."""
        return self._by_name.get(name.lower())

    def names(self) -> frozenset[str]:
        """Every name and alias the bot answers to."""
        return frozenset(self._by_name)

    def specs(self) -> list[CommandSpec]:
        """All commands, in menu order."""
        return ordered(c.spec for c in self._commands)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)
