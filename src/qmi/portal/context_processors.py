from django.conf import settings

from qmi.accounts.rules import has_staff_role, is_programme_staff
from qmi.core import versions
from qmi.mail.services import INBOX
from qmi.messaging.queries import unread_threads_count

# A safety net: the counts follow the inbox's version; nothing should keep them longer.
COUNTS_SECONDS = 300


def platform(request):
    """Header data: the unread counts and the role of the person.

    The counts are kept per person until a notification, a message, a reading or a
    membership changes (core.versions): computing them was a third of a light page.
    """
    user = getattr(request, "user", None)
    unread = unread_threads = 0
    messages_url_name = "messaging:my_messages"
    staff_member = False
    if user is not None and user.is_authenticated:
        # The programme's team gets the back office's menu, not the applicant's.
        staff_member = has_staff_role(user)
        unread, unread_threads = versions.remember(
            f"header-counts:{user.pk}",
            (INBOX,),
            lambda: (
                user.notifications.filter(read_at__isnull=True).count(),
                unread_threads_count(user),
            ),
            COUNTS_SECONDS,
        )
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
