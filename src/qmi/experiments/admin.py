from django.contrib import admin

from .models import Experiment, ExperimentEvent


class ExperimentEventInline(admin.TabularInline):
    model = ExperimentEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "kind",
        "from_commune",
        "to_commune",
        "from_status",
        "to_status",
        "note",
        "by",
        "at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    """Read only: states move through services.change_status, which audits each move."""

    list_display = ["title", "organisation", "edition_commune", "status", "created_at"]
    list_filter = ["status", "edition"]
    search_fields = ["title", "organisation__name", "application__reference"]
    inlines = [ExperimentEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
