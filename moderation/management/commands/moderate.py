"""python manage.py moderate [--jsonl] [--context CONTEXT]

Reads stdin line by line and writes one JSON verdict per line, in order, flushed per line:
{"action": ..., "categories": [...], "severity": 0-3, "shown": "..."}. With --jsonl each
input line is {"text": "...", "context": "..."} (context optional). A line that cannot be
read gets {"error": "..."} and the stream goes on.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from moderation import engine
from moderation.services import review_text


class Command(BaseCommand):
    help = "Moderate text from stdin, one JSON verdict per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--jsonl", action="store_true", help="Each line is a JSON object.")
        parser.add_argument("--context", choices=engine.CONTEXTS, default="general")

    def handle(self, *args, jsonl: bool, context: str, **options) -> None:
        out = sys.stdout
        for raw in sys.stdin:
            line = raw.rstrip("\r\n")
            try:
                text, line_context = self._parse(line, jsonl, context)
                result = review_text(text=text, context=line_context).as_dict()
            except ValueError as error:
                result = {"error": str(error)}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()

    @staticmethod
    def _parse(line: str, jsonl: bool, default_context: str) -> tuple[str, str]:
        if not jsonl:
            return line, default_context
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"not JSON: {error.msg}") from error
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError('each line needs {"text": "..."}')
        line_context = item.get("context", default_context)
        if line_context not in engine.CONTEXTS:
            raise ValueError(f"unknown context {line_context!r}")
        return item["text"], line_context
