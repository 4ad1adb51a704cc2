from django.conf import settings


def platform(request):
    """Header data: the unread notification count (one query) and the role of the person."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "map_tile_url": settings.QMI_MAP_TILE_URL,
        "map_tile_attribution": settings.QMI_MAP_TILE_ATTRIBUTION,
    }
