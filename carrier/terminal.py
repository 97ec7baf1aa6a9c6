"""``flask --app app call``: call the running service from a terminal.

The command runs a carrier in its own process and places one call into the
service over HTTP (``--url``, default http://127.0.0.1:5000), signed with
the configured auth token like Twilio.  It prints what the caller hears and
either asks the person at the terminal what to do at each prompt or follows
the steps given as options, in the order given::

    flask --app app call --line urban --from +8613812345678 \\
        --say "西仓路银春旅馆门前有两个上水井盖丢失" --press 1 \\
        --say "海陵区西仓路银春旅馆门前" --press 1

With steps, stdin is never read; when they run out the caller hangs up.
Without steps and without a terminal, lines are read from stdin (end of
input hangs up).  The exit status is 1 when the service failed the call
(an HTTP error, a document that is not TwiML, a status callback refused).

Only the caller's side runs here: a call the service transfers to an
operator or a queue finds nobody on this carrier.  Use ``flask --app app dev``
and the browser phone for that.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

import click

from carrier.actions import (
    DTMF_KEYS,
    Action,
    Conferencing,
    HangUp,
    Holding,
    Listening,
    Moment,
    Press,
    Recording,
    Silence,
    Speak,
    Talking,
    Wait,
)
from carrier.calls import Call, LogEntry
from carrier.exchange import Carrier, hotline_numbers
from carrier.guard import refuse_in_production
from carrier.parties import ScriptedParty
from carrier.webhooks import Routes
from config.loader import load_config
from config.settings import load_settings

DEFAULT_SERVICE = "http://127.0.0.1:5000"
DEFAULT_CALLER = "+8613812345678"
STEP_OPTIONS = ("say", "press", "silence", "hang_up")
STEPS_KEY = "carrier.call.steps"
HELP_LINE = ("Type keys (0-9 * #) or words, then Enter.  Enter alone stays silent; "
             "/say TEXT says digits as words; /hangup hangs up.")


class TerminalCaller(ScriptedParty):
    """The caller at the terminal: follows ``steps`` if there are any, else asks."""

    def __init__(self, address: str, steps: list[Action], *, read_line: Callable[[str], str | None] | None,
                 verbose: bool) -> None:
        super().__init__(address, *steps, name="you")
        self.read_line = read_line
        self.verbose = verbose

    def next_action(self, call: Call, moment: Moment) -> Action:
        if self.read_line is None:
            action = super().next_action(call, moment)
            if isinstance(action, (Press, Speak, HangUp)):
                click.secho(f"  > {_describe(action)}", fg="green")
            return action
        if isinstance(moment, (Holding, Talking, Conferencing)):
            state = {Holding: "on hold", Talking: "connected", Conferencing: "in a conference"}[type(moment)]
            click.secho(f"  ({state})", dim=True)
            return Wait()
        line = self.read_line(_prompt(moment))
        return HangUp() if line is None else parse_line(line)

    def notice(self, call: Call, entry: LogEntry) -> None:
        super().notice(call, entry)
        show(entry, self.verbose)


def parse_line(line: str) -> Action:
    text = line.strip()
    if not text:
        return Silence()
    if text in ("/hangup", "/h"):
        return HangUp()
    if text.startswith("/say "):
        return Speak(text[5:].strip())
    if set(text) <= DTMF_KEYS:
        return Press(text)
    return Speak(text)


def show(entry: LogEntry, verbose: bool) -> None:
    if entry.kind == "heard" and entry.utterance is not None:
        text = entry.utterance.text
        for digits in entry.utterance.spelled:
            text = text.replace(digits, click.style(digits, bold=True, fg="yellow"), 1)
        click.echo(click.style("hotline: ", fg="cyan") + text)
    elif entry.kind == "played":
        click.secho(f"  ♪ {entry.text}", dim=True)
    elif entry.kind == "notice":
        click.secho(f"  ! {entry.text}", fg="red", err=True)
    elif verbose and entry.kind in ("request", "callback", "status", "queue", "bridge", "dial", "recording"):
        click.secho(f"  · {entry.kind}: {entry.text}", dim=True)


def _prompt(moment: Moment) -> str:
    if isinstance(moment, Listening):
        ways = " or ".join("keys" if way == "dtmf" else "words" for way in sorted(moment.input))
        return f"[{ways}] > "
    if isinstance(moment, Recording):
        return "[recording: words, or a key to finish] > "
    return "> "


def _describe(action: Action) -> str:
    if isinstance(action, Press):
        return f"press {action.digits}"
    if isinstance(action, Speak):
        return f"say “{action.text}”"
    return "hang up"


class _StepsInOrder(click.Command):
    """Remembers the order of --say, --press, --silence and --hang-up as
    typed: click collects each option's values separately, but a call is one
    sequence of steps."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _opts, _rest, order = self.make_parser(ctx).parse_args(args=list(args))
        ctx.meta[STEPS_KEY] = [param.name for param in order if param.name in STEP_OPTIONS]
        return super().parse_args(ctx, args)


def _steps(order: list[str], says: tuple[str, ...], presses: tuple[str, ...]) -> list[Action]:
    says_left, presses_left = list(says), list(presses)
    steps: list[Action] = []
    for name in order:
        if name == "say":
            steps.append(Speak(says_left.pop(0)))
        elif name == "press":
            try:
                steps.append(Press(presses_left.pop(0)))
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--press") from exc
        elif name == "silence":
            steps.append(Silence())
        else:
            steps.append(HangUp())
    return steps


def _stdin_reader() -> Callable[[str], str | None]:
    interactive = sys.stdin.isatty()

    def read(prompt: str) -> str | None:
        if interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None

    return read


@click.command("call", cls=_StepsInOrder)
@click.option("--url", default=DEFAULT_SERVICE, show_default=True, help="Where the running service listens.")
@click.option("--line", "line_id", help="Call this line (an id from config/lines.yaml, e.g. urban or conduct).")
@click.option("--to", help="Call this number instead of a line's.")
@click.option("--from", "from_", default=DEFAULT_CALLER, show_default=True, help="The caller's number.")
@click.option("--say", multiple=True, help="Words to say at the next prompt.")
@click.option("--press", multiple=True, help="Keys to press at the next prompt.")
@click.option("--silence", count=True, help="Stay silent at the next prompt.")
@click.option("--hang-up", count=True, help="Hang up.")
@click.option("--log", "verbose", is_flag=True, help="Also show webhook requests, status and callbacks.")
@click.option("--timeout", default=600, show_default=True, help="Give up after this many seconds.")
def call_command(url: str, line_id: str | None, to: str | None, from_: str, say: tuple[str, ...],
                 press: tuple[str, ...], silence: int, hang_up: int, verbose: bool, timeout: int) -> None:
    """Call the running hotline as a citizen, in this terminal."""
    settings = load_settings()
    refuse_in_production(settings)
    config = load_config(settings.config_dir, settings.config_secrets)
    if to is None:
        line = config.lines.get(line_id) if line_id else next(iter(config.lines.values()))
        if line is None:
            raise click.BadParameter(f"no line {line_id!r}; lines are " + ", ".join(config.lines), param_hint="--line")
        to = line.number
    url = url.rstrip("/")
    # The service signs and checks against its public URL; the carrier sends
    # requests for it to --url, as a reverse proxy in front of it would.
    public = settings.public_url or url
    carrier = Carrier(settings.twilio_account_sid, settings.twilio_auth_token, api_base_url=settings.twilio_api_url,
                      routes=Routes(public, url))
    for number in hotline_numbers(config.lines.values(), public):
        carrier.add_number(number)

    steps = _steps(click.get_current_context().meta.get(STEPS_KEY, []), say, press)
    caller = TerminalCaller(from_, steps, read_line=None if steps else _stdin_reader(), verbose=verbose)
    if not steps:
        click.secho(HELP_LINE, dim=True)
    click.secho(f"calling {to} from {from_} through {url} …", dim=True)
    call = carrier.call_in(caller, to)
    ended = call.wait_ended(timeout)
    carrier.shutdown()
    spelled = [digits for u in caller.utterances(call.sid) for digits in u.spelled]
    click.secho(f"call {call.sid} {call.status}, {call.duration} s"
                + (f"; numbers read out: {', '.join(dict.fromkeys(spelled))}" if spelled else ""), dim=True)
    if not ended or call.errors:
        click.get_current_context().exit(1)
