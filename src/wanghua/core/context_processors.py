from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's shell needs: the language list and the product name (the menu: {% menu_html %})."""
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "PRODUCTION": settings.PRODUCTION}
