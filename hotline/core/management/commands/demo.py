"""`hotline demo`: load the demo city (departments, categories, users, tickets) and print the logins."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hotline.core.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load demo data: departments, categories, a user for every role, a few hundred tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=300)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=12345)

    def handle(self, *args: Any, **opts: Any) -> None:
        summary = demo_load(tickets=opts["tickets"], days=opts["days"], seed=opts["seed"])
        self.stdout.write(
            f"演示数据：{summary.departments} 个单位，{summary.categories} 个分类，新建 {summary.tickets} 张工单。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, dept in summary.users:
            self.stdout.write(f"  {username:<12} {role:<10} {dept}")
