"""`wanghua machines`: every declared state machine as a Mermaid diagram, for docs/architecture.md."""

from typing import Any

from django.core.management.base import BaseCommand

from wanghua.core.transitions import MACHINES, mermaid


class Command(BaseCommand):
    help = "Print every declared state machine (transitions table) as a Mermaid state diagram."

    def handle(self, *args: Any, **options: Any) -> None:
        import wanghua.urls  # noqa: F401  (the apps' models, and so their tables, are all loaded with the URLs)

        for name in sorted(MACHINES):
            machine = MACHINES[name]
            self.stdout.write(f"### {name} ({machine.model._meta.label}.{machine.field})\n\n```mermaid\n"
                              f"{mermaid(machine)}\n```\n")
