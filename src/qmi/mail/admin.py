from django.contrib import admin

from .models import Notification, OutgoingEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "read_at", "emailed_at"]
    list_filter = ["read_at", "emailed_at"]
    search_fields = ["recipient__email", "subject"]
    raw_id_fields = ["recipient"]
    list_select_related = ["recipient"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read-only: the outbox is the record of what left; staff release through the services."""

    list_display = ["created_at", "to", "subject", "template", "status", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
