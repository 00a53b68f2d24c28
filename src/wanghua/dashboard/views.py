from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from wanghua.core import reference
from wanghua.core.rules import LOGIN, access, perm
from wanghua.org.models import Zone

from . import services


@access(LOGIN)
def home(request):
    """一核一带三区 overview: a card per zone, filled through the indicator registry."""
    return render(request, "dashboard/home.html", {"cards": services.zone_cards(request.user),
                                                   "notices": reference.current_notices()})


@access(LOGIN)
def home_chart(request):
    return JsonResponse(services.communities_per_street(request.user), json_dumps_params={"ensure_ascii": False})


@access(perm("org.view_zone"))
def zone(request, code: str):
    zone = get_object_or_404(Zone.objects.visible_to(request.user, "view"), code=code)
    cards = [c for c in services.zone_cards(request.user) if c.zone.pk == zone.pk]
    return render(request, "dashboard/zone.html", {"zone": zone, "card": cards[0] if cards else None})


@access(LOGIN)
def goals(request):
    """六望花 board: each goal with the indicators the modules register for it."""
    board = services.goal_board(services.scope_region(request.user))
    return render(request, "dashboard/goals.html", {"board": board})
