import datetime as dt
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError

from brokercrm.core.commands import BrokercrmCommand, add_subcommands
from brokercrm.datacenter.facade import warehouse_read
from brokercrm.servicing.channels.smpp_server import SmppServer
from brokercrm.servicing.models import Strategy
from brokercrm.servicing.services.reports import account_reports_queue
from brokercrm.servicing.exports import export_preview
from brokercrm.servicing.services.strategies import strategy_preview_rows, strategy_run
from brokercrm.servicing.services.outbox import channel_config_update, outbox_send
from brokercrm.servicing.services.tasks import visit_policy_update, visits_generate


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from exc


def _hours(value: str) -> tuple[dt.time, dt.time]:
    try:
        start, end = value.split("-")
        return dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a quiet-hours range such as 21:00-08:00") from exc


class Command(BrokercrmCommand):
    help = ("Differentiated service: `brokercrm servicing send` sends the due outbox messages and returns; "
            "`channel` configures e-mail/SMS; `smsc` runs a local SMPP SMSC; `visits` and `strategy` generate work.")

    def add_arguments(self, parser):
        def send_args(sp):
            sp.add_argument("--channel", choices=["email", "sms"], action="append", help="only this channel (repeatable)")
            sp.add_argument("--loop", action="store_true", help="keep sending every --interval seconds until interrupted")
            sp.add_argument("--interval", type=float, default=10.0)

        def channel_args(sp):
            sp.add_argument("code", choices=["email", "sms"])
            sp.add_argument("--host")
            sp.add_argument("--port", type=int)
            sp.add_argument("--sender")
            sp.add_argument("--username")
            sp.add_argument("--rate", type=int, help="messages per minute")
            sp.add_argument("--quiet", type=_hours, help="quiet hours, e.g. 21:00-08:00; 'none' is not accepted, use --no-quiet")
            sp.add_argument("--no-quiet", action="store_true")

        def smsc_args(sp):
            sp.add_argument("--port", type=int, default=2775)

        def visits_args(sp):
            sp.add_argument("--as-of", type=_date, required=True, help="business date the regulatory rules are applied on")
            sp.add_argument("--opened-from", type=_date, help="first open date of new accounts to visit (default: --as-of)")

        def strategy_args(sp):
            sp.add_argument("--id", type=int, required=True)
            sp.add_argument("--date", type=_date, required=True, help="a day of the period to run for")

        def preview_args(sp):
            sp.add_argument("--segment", required=True, metavar="CODE", help="segment code, e.g. tier:diamond (docs/servicing.md)")
            sp.add_argument("--period", required=True, metavar="YYYY-MM", help="the month whose segment memberships are used")
            sp.add_argument("--content", required=True, metavar="KIND", choices=Strategy.Content.values)
            sp.add_argument("--channel", required=True, metavar="CH", choices=Strategy.Channel.values)
            sp.add_argument("--product", default="", metavar="MARKET.CODE", help="the product a product_recommendation names")
            sp.add_argument("--out", required=True, type=Path, metavar="FILE", help="the CSV file to write")

        def policy_args(sp):
            sp.add_argument("--key-segment", required=True, metavar="CODE", help="segment of key customers ('' for none)")
            sp.add_argument("--key-frequency", required=True, choices=["monthly", "quarterly", "yearly"])
            sp.add_argument("--exception-rules", default="", metavar="RULE,RULE", help="alert rules that call for a visit")
            sp.add_argument("--exception-due-days", type=int, default=5, metavar="N")

        def reports_args(sp):
            sp.add_argument("--month", required=True, help="YYYY-MM")
            sp.add_argument("--customer", action="append", help="only this customer_no (repeatable)")

        add_subcommands(self, parser, reports=("Render monthly account reports (PDF) and queue them by e-mail.", reports_args),
                        send=("Send the due outbox messages (one round).", send_args),
                        channel=("Configure a channel.", channel_args), smsc=("Run a local SMPP SMSC (demo stand-in).", smsc_args),
                        visits=("Generate the regulatory visit tasks.", visits_args),
                        strategy=("Run a service strategy for a period.", strategy_args),
                        **{"visit-policy": ("Set the key-customer and exception visits the visits step generates.", policy_args),
                           "strategy-preview": ("Write who a strategy would serve (customer_no, staff_no, channel, "
                                                "blocked_reason, reasons) without sending anything.", preview_args)})

    def handle(self, *args, **opts):
        getattr(self, f"_{opts['subcommand'].replace('-', '_')}")(opts)

    def _send(self, opts):
        channels = tuple(opts["channel"] or ("email", "sms"))
        while True:
            r = outbox_send(channels=channels)
            deferred = ", ".join(f"{k}: {v}" for k, v in r.deferred.items())
            self.stdout.write(f"sent {r.sent}, retried {r.retried}, failed {r.failed}, suppressed {r.suppressed}, "
                              f"interrupted {r.interrupted}{'; deferred ' + deferred if deferred else ''}")
            if not opts["loop"]:
                return
            time.sleep(opts["interval"])

    def _channel(self, opts):
        changes = {k: opts[k] for k in ("host", "port", "sender", "username") if opts[k] is not None}
        if opts["rate"] is not None:
            changes["rate_per_minute"] = opts["rate"]
        if opts["quiet"]:
            changes["quiet_start"], changes["quiet_end"] = opts["quiet"]
        if opts["no_quiet"]:
            changes["quiet_start"] = changes["quiet_end"] = None
        config = channel_config_update(actor=None, code=opts["code"], **changes)
        self.stdout.write(f"{config.code}: {config.host}:{config.port}, {config.rate_per_minute}/min, "
                          f"quiet {config.quiet_start or '-'}–{config.quiet_end or '-'}")

    def _reports(self, opts):
        with warehouse_read() as con:
            r = account_reports_queue(con, month=opts["month"], customer_nos=opts["customer"])
        self.stdout.write(f"queued {r.queued}, already queued {r.already_queued}, without data {r.skipped}")

    def _smsc(self, opts):
        server = SmppServer(port=opts["port"]).start()
        self.stdout.write(f"SMSC listening on 127.0.0.1:{server.port}; Ctrl-C to stop")
        seen = 0
        try:
            while True:
                time.sleep(1)
                for sms in server.received[seen:]:
                    self.stdout.write(f"{sms.message_id} → {sms.destination}: {sms.text}")
                seen = len(server.received)
        except KeyboardInterrupt:
            server.stop()

    def _visits(self, opts):
        r = visits_generate(as_of=opts["as_of"], opened_from=opts["opened_from"])
        self.stdout.write(f"new accounts {r.new_accounts}, existing {r.existing}, departed staff {r.departed}, rerouted {r.rerouted}")

    def _strategy(self, opts):
        strategy = Strategy.objects.filter(pk=opts["id"]).first()
        if strategy is None:
            raise CommandError(f"no strategy with id {opts['id']}")
        r = strategy_run(actor=None, strategy=strategy, period=opts["date"])
        self.stdout.write(f"{r.tasks} tasks, {r.messages} messages, {r.skipped} customers skipped "
                          f"({r.unsuitable} unsuitable, their reasons in the audit log)")

    def _strategy_preview(self, opts):
        rows = strategy_preview_rows(segment=opts["segment"], period=opts["period"], content=opts["content"], channel=opts["channel"],
                                     product=opts["product"])
        export_preview(rows, opts["out"])
        blocked = sum(1 for r in rows if r.blocked_reason)
        reasons = Counter(code for r in rows for code in r.reasons)
        detail = f" (unsuitable: {', '.join(f'{code} {n}' for code, n in sorted(reasons.items()))})" if reasons else ""
        self.stdout.write(f"{opts['out']}: {len(rows)} customers, {len(rows) - blocked} served, {blocked} blocked{detail}")

    def _visit_policy(self, opts):
        rules = [r.strip() for r in opts["exception_rules"].split(",") if r.strip()]
        policy = visit_policy_update(actor=None, key_segment=opts["key_segment"], key_frequency=opts["key_frequency"],
                                     exception_rules=rules, exception_due_days=opts["exception_due_days"])
        self.stdout.write(f"key visits: {policy.key_segment or '-'} {policy.key_frequency}; "
                          f"exception visits: {', '.join(policy.exception_rules) or '-'} (due after {policy.exception_due_days} trading days)")
