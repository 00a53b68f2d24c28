from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wanghua.core.models import Role
from wanghua.org.models import Region, RoleAssignment, Unit


class Command(BaseCommand):
    help = "Create a login and give it a role over a region (code) or a unit (code)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--role", required=True, help="role code, e.g. leader, street, agent")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--region", help="region code, e.g. 210404")
        scope.add_argument("--unit", help="unit code, e.g. dept-urban")

    def handle(self, *args: Any, username: str, password: str, name: str, role: str, region: str | None,
               unit: str | None, **options: Any) -> None:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        role_obj = Role.objects.filter(code=role).first()
        if role_obj is None:
            known = ", ".join(Role.objects.values_list("code", flat=True))
            raise CommandError(f"unknown role {role!r}; known: {known}")
        scope = {"region": Region.objects.filter(code=region).first()} if region else {
            "unit": Unit.objects.filter(code=unit).first()}
        if next(iter(scope.values())) is None:
            raise CommandError(f"unknown {'region' if region else 'unit'} code {region or unit!r}")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} exists")
        user = User.objects.create_user(username=username, password=password, display_name=name)
        RoleAssignment.objects.create(user=user, role=role_obj, **scope)
        self.stdout.write(self.style.SUCCESS(f"created {username} as {role_obj} over {next(iter(scope.values()))}"))
