"""WeChat and provincial intake in-process on PostgreSQL: messages → tickets, and a provincial pull.

    python bench/exchange_channels.py [--messages 300] [--province 300] [--reuse] [--budget 60]

Creates `hotline_bench_exchange` (migrate + demo with 50 tickets; --reuse keeps it), then:
- POSTs --messages distinct text messages to /wechat/callback/ through django.test.Client, plaintext and
  safe (AES) mode, then the plaintext ones again (duplicate MsgIds: no new ticket): requests/s, p50/p95 ms;
- seeds --province tickets in the local simulator (a thread on 127.0.0.1) and pulls them all over real
  HTTP, with the acceptance pushes (province enabled, jobs inline): tickets/s.
Target (issue 9): WeChat expects the passive reply within 5 s; a message must cost milliseconds.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import loadavg, log, machine, ms, pct, prepare_demo_db, summary

DB = "hotline_bench_exchange"
TOKEN, APP_ID, AES = "bench-token", "wxbench0000000000", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _post(client, crypto, text: str, msg_id: str, *, encrypted: bool):
    ts, nonce = str(int(time.time())), "bench"
    q = {"timestamp": ts, "nonce": nonce, "signature": crypto.sha1_signature(TOKEN, ts, nonce)}
    xml = crypto.message_xml(
        {"ToUserName": "gh_bench", "FromUserName": "oBench", "CreateTime": ts, "MsgType": "text",
         "Content": text, "MsgId": msg_id}
    )  # fmt: skip
    if encrypted:
        sealed = crypto.encrypt(xml.encode(), key=crypto.aes_key(AES), app_id=APP_ID)
        q |= {"encrypt_type": "aes", "msg_signature": crypto.sha1_signature(TOKEN, ts, nonce, sealed)}
        xml = f"<xml><ToUserName>gh_bench</ToUserName><Encrypt>{sealed}</Encrypt></xml>"
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    return client.post(f"/wechat/callback/?{qs}", data=xml.encode(), content_type="text/xml")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--province", type=int, default=300)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--budget", type=float, default=60.0)
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="hotline_bench_exchange_")
    url = prepare_demo_db(DB, reuse=args.reuse, demo_tickets=50, data_dir=data_dir)
    os.environ.update(
        DATABASE_URL=url,
        HOTLINE_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="hotline.settings",
        LOG_LEVEL="WARNING",
        HOTLINE_JOBS_IMMEDIATE="1",
        WECHAT_TOKEN=TOKEN,
        WECHAT_APP_ID=APP_ID,
        WECHAT_AES_KEY=AES,
        PROVINCE_ENABLED="1",
        PROVINCE_APP_ID="bench-city",
        PROVINCE_SECRET="bench-secret",
    )
    import django

    django.setup()
    from django.test import Client

    from hotline.exchange.province.sim import ProvinceState, serve
    from hotline.exchange.services.province import province_pull
    from hotline.exchange.wechat import crypto
    from hotline.tickets.models import Ticket

    client = Client()
    stamp = time.time_ns()
    report: dict[str, str] = {}
    for label, encrypted, again in (
        ("plain", False, False),
        ("aes", True, False),
        ("duplicate", False, True),
    ):
        times: list[float] = []
        end = time.monotonic() + args.budget
        for i in range(args.messages):
            if time.monotonic() > end:
                break
            prefix = "plain" if again else label
            t0 = time.perf_counter()
            r = _post(
                client,
                crypto,
                f"基准测试诉求 {stamp} {prefix} #{i}，小区路灯不亮。",
                f"{stamp}{prefix}{i}",
                encrypted=encrypted,
            )
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.content[:200]
        report[label] = (
            f"{len(times) / sum(times):.0f}/s p50={ms(pct(times, 50))} p95={ms(pct(times, 95))} n={len(times)}"
        )
        print(f"WeChat {label:9s} {report[label]}")
    made = Ticket.objects.filter(channel="wechat", content__contains=str(stamp)).count()
    log(f"wechat tickets made: {made} (expected {2 * args.messages} at most: duplicates add none)")

    state = ProvinceState(app_id="bench-city", secret="bench-secret")
    state.seed(args.province)
    server = serve(state, "127.0.0.1", 0)
    os.environ["PROVINCE_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    from hotline.exchange.models import ExchangeCursor

    ExchangeCursor.objects.filter(name="province-feed").delete()
    t0 = time.perf_counter()
    result = province_pull()
    took = time.perf_counter() - t0
    accepted = sum(1 for t in state.tickets.values() if t["city_number"])
    server.shutdown()
    report["province"] = (
        f"{len(result.created) / took:.0f} tickets/s ({len(result.created)} in {took:.1f} s, {accepted} accepted)"
    )
    print(f"Province pull      {report['province']}")
    print(f"{machine()} load={loadavg()}")
    summary(
        "exchange_channels",
        wechat_plain_per_s=report["plain"].split("/s")[0],
        wechat_aes_per_s=report["aes"].split("/s")[0],
        wechat_duplicate_per_s=report["duplicate"].split("/s")[0],
        province_pull_per_s=report["province"].split()[0],
    )


if __name__ == "__main__":
    main()
