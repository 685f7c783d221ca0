"""`hotline kb`: import articles from CSV, or evaluate the search engine on articles and questions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.knowledge.csvfiles import CsvFormatError
from hotline.knowledge.evaluation import evaluate_files
from hotline.knowledge.models import Article
from hotline.knowledge.services import articles_import_csv


class Command(BaseCommand):
    help = "热线百科: import articles (CSV) or evaluate search quality and speed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="Load articles from a CSV (article_id,title,body) into the database."
        )
        imp.add_argument("--articles", required=True, metavar="FILE.csv")
        imp.add_argument(
            "--status",
            default=Article.Status.PUBLISHED,
            choices=[s.value for s in Article.Status],
            help="status of the imported articles (default: published)",
        )
        ev = sub.add_parser(
            "evaluate",
            help="Index the articles into a fresh in-memory store, ask every question, print the scores.",
        )
        ev.add_argument("--articles", required=True, metavar="A.csv")
        ev.add_argument("--questions", required=True, metavar="Q.csv", help="columns question,article_id")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "import":
                self._import(opts)
            else:
                self._evaluate(opts)
        except CsvFormatError as exc:
            raise CommandError(str(exc)) from exc

    def _import(self, opts: dict[str, Any]) -> None:
        result = articles_import_csv(path=opts["articles"], status=opts["status"])
        self.stdout.write(
            f"导入完成：新增 {result.created} 篇，更新 {result.updated} 篇，跳过 {result.skipped} 行。"
        )

    def _evaluate(self, opts: dict[str, Any]) -> None:
        report = evaluate_files(opts["articles"], opts["questions"])
        self.stdout.write(f"questions={report.questions}")
        self.stdout.write(report.line())
