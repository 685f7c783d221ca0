"""`hotline exchange`: the provincial simulator, pull / push / reconcile by hand."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.exchange import conf
from hotline.exchange.province.client import ProvinceError


class Command(BaseCommand):
    help = "数据交换：省平台模拟器（province-sim）、拉取、推送、对账。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("province-sim", help="Run the local simulator of the provincial platform.")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=8731)
        sim.add_argument("--state", metavar="FILE.json", help="keep the simulator's state in this file")
        sim.add_argument("--seed", type=int, default=0, help="add N sample provincial tickets at start")
        sub.add_parser("province-pull", help="Pull new provincial tickets now.")
        sub.add_parser("province-push", help="Send every due push in the outbox now.")
        sub.add_parser("province-reconcile", help="Compare both sides; exit status 1 when they differ.")
        we = sub.add_parser(
            "wechat-send", help="Send a text to a running server as WeChat would (demo, checks)."
        )
        we.add_argument("text")
        we.add_argument("--url", default="http://127.0.0.1:8000/wechat/callback/")
        we.add_argument("--openid", default="oDemoCitizen")
        we.add_argument(
            "--aes", action="store_true", help="safe mode (needs WECHAT_AES_KEY and WECHAT_APP_ID)"
        )
        mail = sub.add_parser("ingest-email", help="Turn .eml files into tickets (once per Message-ID).")
        mail.add_argument("files", nargs="+", metavar="FILE.eml")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except ProvinceError as exc:
            raise CommandError(f"省平台请求失败：{exc.message}") from exc

    def _wechat_send(self, opts: dict[str, Any]) -> None:
        import secrets
        import urllib.error
        import urllib.request
        from urllib.parse import urlencode

        from hotline.exchange.wechat import crypto

        token = conf.get("WECHAT_TOKEN")
        if not token:
            raise CommandError("WECHAT_TOKEN 未设置。")
        stamp, nonce = str(int(time.time())), secrets.token_hex(6)
        query = {"timestamp": stamp, "nonce": nonce, "signature": crypto.sha1_signature(token, stamp, nonce)}
        xml = crypto.message_xml(
            {
                "ToUserName": "gh_hotline",
                "FromUserName": opts["openid"],
                "CreateTime": stamp,
                "MsgType": "text",
                "Content": opts["text"],
                "MsgId": str(time.time_ns()),
            }
        )
        key = crypto.aes_key(conf.get("WECHAT_AES_KEY")) if opts["aes"] else b""
        if opts["aes"]:
            sealed = crypto.encrypt(xml.encode(), key=key, app_id=conf.get("WECHAT_APP_ID"))
            query |= {
                "encrypt_type": "aes",
                "msg_signature": crypto.sha1_signature(token, stamp, nonce, sealed),
            }
            xml = crypto.message_xml({"ToUserName": "gh_hotline", "Encrypt": sealed})
        url = f"{opts['url']}?{urlencode(query)}"
        request = urllib.request.Request(url, data=xml.encode(), headers={"Content-Type": "text/xml"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise CommandError(f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(f"无法连接 {opts['url']}：{exc}") from exc
        if raw == b"success":
            self.stdout.write("（无回复）")
            return
        msg = crypto.parse_xml(raw)
        if opts["aes"]:
            msg = crypto.parse_xml(crypto.decrypt(msg["Encrypt"], key=key, app_id=conf.get("WECHAT_APP_ID")))
        self.stdout.write(msg.get("Content", ""))

    def _ingest_email(self, opts: dict[str, Any]) -> None:
        from hotline.core.errors import ServiceError
        from hotline.exchange.services.email import MAX_BYTES, email_ticket_create

        failed = 0
        for name in opts["files"]:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_BYTES:
                    raise ServiceError(f"邮件超过 {MAX_BYTES // 1024 // 1024} MB。")
                ticket, created = email_ticket_create(raw=path.read_bytes())
            except OSError as exc:
                failed += 1
                self.stderr.write(f"{name}：无法读取（{exc.strerror}）")
                continue
            except ServiceError as exc:
                failed += 1
                self.stderr.write(f"{name}：{exc.message}")
                continue
            self.stdout.write(f"{name}：{'新建' if created else '已导入过'}工单 {ticket.number}")
        if failed:
            raise CommandError(f"{failed} 个文件未能导入。")

    def _province_sim(self, opts: dict[str, Any]) -> None:
        from hotline.exchange.province.sim import ProvinceState, serve

        state = ProvinceState(
            app_id=conf.get("PROVINCE_APP_ID"),
            secret=conf.get("PROVINCE_SECRET"),
            path=Path(opts["state"]) if opts["state"] else None,
        )
        if opts["seed"]:
            state.seed(opts["seed"])
        server = serve(state, opts["host"], opts["port"])
        self.stdout.write(
            f"省平台模拟器运行于 http://{opts['host']}:{server.server_address[1]}（{len(state.tickets)} 件工单）；Ctrl+C 结束。"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.shutdown()

    def _province_pull(self, opts: dict[str, Any]) -> None:
        from hotline.exchange.services.province import province_pull

        result = province_pull()
        self.stdout.write(f"读到 {result.seen} 件，新建 {len(result.created)} 件：{' '.join(result.created)}")
        for line in result.rejected:
            self.stdout.write(f"未接收 {line}")

    def _province_push(self, opts: dict[str, Any]) -> None:
        from hotline.exchange.services.province import province_retry_due

        self.stdout.write(f"尝试推送 {province_retry_due()} 条。")

    def _province_reconcile(self, opts: dict[str, Any]) -> None:
        from hotline.exchange.services.province import province_reconcile

        found = province_reconcile()
        for m in found:
            self.stdout.write(
                f"{m.label}\t{m.province_id}\t{m.number or '—'}\t本地：{m.here or '—'}\t省平台：{m.there or '—'}"
            )
        self.stdout.write(f"不一致 {len(found)} 处。")
        if found:
            raise SystemExit(1)
