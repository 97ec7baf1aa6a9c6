"""``flask --app app dev``: the service and the carrier on one local server.

One threaded WSGI server serves the hotline at ``/`` and the carrier under
``/carrier`` (its REST API, and the browser phone at ``/carrier/phone/``).
The hotline is built with ``HOTLINE_PUBLIC_URL`` and
``HOTLINE_TWILIO_API_URL`` pointing at that same server, so its absolute
callback URLs, the signatures on both sides and its outbound REST calls all
stay on this machine.  Everything else comes from the usual settings (the
embedded SQLite database, the development secrets in ``instance/``).

Beside the server it runs the scheduler process (``flask --app app
scheduler``, as a process of its own, as in production) with the same two
URLs, so callbacks are placed to the browser phone's complainant in
development too; ``--no-scheduler`` leaves it out.

The lead registers it in ``create_app``::

    from carrier.dev import make_dev_command
    app.cli.add_command(make_dev_command(create_app))
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping

import click
from flask import Flask
from flask.cli import ScriptInfo
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from carrier.app import create_carrier_app
from carrier.clock import Clock
from carrier.exchange import Carrier, hotline_numbers
from carrier.guard import refuse_in_production
from carrier.serving import bind
from config.loader import load_config
from config.settings import PROJECT_ROOT, Settings, load_settings

CARRIER_PREFIX = "/carrier"

AppFactory = Callable[[dict], Flask]


def build_dev_app(create_app: AppFactory, settings: Settings, base: str) -> tuple[Callable, Carrier, Flask]:
    """The combined WSGI app for a server at ``base``, its carrier, and the hotline app."""
    refuse_in_production(settings)
    carrier = Carrier(settings.twilio_account_sid, settings.twilio_auth_token,
                      api_base_url=base + CARRIER_PREFIX, clock=Clock(1.0))
    hotline = create_app({"public_url": base, "twilio_api_url": base + CARRIER_PREFIX})
    for number in hotline_numbers(load_config(settings.config_dir, settings.config_secrets).lines.values(), base):
        carrier.add_number(number)
    combined = DispatcherMiddleware(hotline, {CARRIER_PREFIX: create_carrier_app(carrier, settings)})
    return combined, carrier, hotline


def scheduler_environment(base: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The scheduler's environment: this one, with the carrier's URLs filled in, as the hotline has them."""
    return {**environ, "HOTLINE_PUBLIC_URL": base, "HOTLINE_TWILIO_API_URL": base + CARRIER_PREFIX}


def start_scheduler(base: str, app_import_path: str) -> subprocess.Popen:
    """``flask --app <app> scheduler`` beside the development server; it stops with it."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", app_import_path, "scheduler"],
                            cwd=PROJECT_ROOT, env=scheduler_environment(base, os.environ))


def stop_scheduler(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()          # it finishes the batch in hand and releases the leader lock
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _console_path(hotline: Flask) -> str | None:
    rules = sorted(rule.rule for rule in hotline.url_map.iter_rules() if rule.rule.startswith("/console"))
    return rules[0] if rules else None


def make_dev_command(create_app: AppFactory) -> click.Command:
    @click.command("dev")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on.  The phone has no login: keep it on loopback.")
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--scheduler/--no-scheduler", default=True, show_default=True,
                  help="Run the scheduler process beside the server, so callbacks are placed.")
    def dev(host: str, port: int, scheduler: bool) -> None:
        """Serve the hotline with the local carrier and the browser phone, and run the scheduler."""
        settings = load_settings()
        refuse_in_production(settings)
        built: dict = {}

        def build(base: str):
            built["app"], built["carrier"], built["hotline"] = build_dev_app(create_app, settings, base)
            return built["app"]

        server = bind(build, host, port)
        base = f"http://{server.host}:{server.port}"
        console = _console_path(built["hotline"])
        click.echo(f"Hotline with the local carrier on {base}  (no Twilio account involved)")
        click.echo(f"  browser phone:  {base}{CARRIER_PREFIX}/phone/")
        if console:
            click.echo(f"  console:        {base}{console}")
        click.echo(f"  carrier API:    {base}{CARRIER_PREFIX}  (the service's HOTLINE_TWILIO_API_URL)")
        click.echo(f"  terminal call:  flask --app app call --url {base} --line urban")
        scheduled = None
        if scheduler:
            info = click.get_current_context().find_object(ScriptInfo)
            scheduled = start_scheduler(base, (info.app_import_path if info else None) or "app")
            click.echo(f"  scheduler:      process {scheduled.pid}, placing callbacks through the carrier "
                       "(--no-scheduler to leave it out)")
        click.echo("Press Ctrl+C to stop.")
        # Ctrl+C, or a process manager's SIGTERM, stops the scheduler too.  Set both here: a
        # process started in the background of a script inherits SIGINT ignored.
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, _interrupt)
        # The server runs in a thread, so that it still answers while the scheduler finishes the
        # calls it is placing through it; Ctrl+C reaches the main thread, which waits here.
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        serving.start()
        try:
            while serving.is_alive():
                serving.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop_scheduler(scheduled)
            built["carrier"].shutdown(timeout=2)
            server.shutdown()
            server.server_close()

    return dev
