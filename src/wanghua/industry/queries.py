"""一带's read side for other apps (the dashboard reads the lines through here, never through the models)."""

from __future__ import annotations

from .models import LiveSnapshot


def live_snapshots(viewer=None, region=None):
    """The lines' live snapshots by line name: through the viewer's access rules when given, and only the
    lines of enterprises in `region`'s subtree when given (the big screen's one live read)."""
    snapshots = LiveSnapshot.objects.visible_to(viewer, "view") if viewer is not None else LiveSnapshot.objects.all()
    if region is not None:
        snapshots = snapshots.filter(line__enterprise__region__path__startswith=region.path)
    return snapshots.select_related("line").order_by("line__name")
