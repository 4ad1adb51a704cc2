from django.conf import settings

from qmi.accounts.rules import has_staff_role, is_programme_staff
from qmi.messaging.queries import unread_threads_count


def platform(request):
    """Header data: the unread notification count (one query) and the role of the person."""
    user = getattr(request, "user", None)
    unread = unread_threads = 0
    messages_url_name = "messaging:my_messages"
    staff_member = False
    if user is not None and user.is_authenticated:
        # The programme's team gets the back office's menu, not the applicant's.
        staff_member = has_staff_role(user)
        unread = user.notifications.filter(read_at__isnull=True).count()
        unread_threads = unread_threads_count(user)
        if is_programme_staff(user):
            messages_url_name = "messaging:backoffice_inbox"
    return {
        "unread_notifications": unread,
        "unread_threads": unread_threads,
        "messages_url_name": messages_url_name,
        "staff_member": staff_member,
        "map_tile_url": settings.QMI_MAP_TILE_URL,
        "map_tile_attribution": settings.QMI_MAP_TILE_ATTRIBUTION,
    }
