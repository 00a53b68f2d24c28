from django.conf import settings


def shell(request):
    """What every page's shell needs: the language list and the product name."""
    return {"LANGUAGES_AVAILABLE": settings.LANGUAGES, "PRODUCTION": settings.PRODUCTION}
