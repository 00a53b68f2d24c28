from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's shell needs: the language list and the product name."""
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "PRODUCTION": settings.PRODUCTION,
            "main_menu": SimpleLazyObject(lambda: menu_for(request.user))}
