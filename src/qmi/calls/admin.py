"""Support staff's view of calls and applications; states move only in the product's pages."""

from django.contrib import admin

from .models import (
    Application,
    Call,
    CorrectionRequest,
    Document,
    FaqEntry,
    FormRevision,
    Submission,
)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "edition", "kind", "status", "opens_at", "closes_at"]
    list_filter = ["kind", "status", "edition"]
    search_fields = ["title", "slug"]
    readonly_fields = ["status"]

    def has_delete_permission(self, request, obj=None):
        # A call is closed, never deleted: its applications, threads and events hang on it.
        return False


@admin.register(FormRevision)
class FormRevisionAdmin(admin.ModelAdmin):
    list_display = ["call", "number", "created_at", "published_at"]
    list_select_related = ["call"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "organisation", "call", "status", "submitted_at"]
    list_filter = ["status", "call"]
    search_fields = ["reference", "organisation__name"]
    list_select_related = ["organisation", "call"]
    raw_id_fields = ["organisation", "revision", "created_by"]
    readonly_fields = ["status", "answers", "answers_meta", "version"]

    def has_delete_permission(self, request, obj=None):
        # An application is withdrawn or declared inadmissible, never deleted.
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["application", "number", "submitted_at", "submitted_by"]
    list_select_related = ["application", "submitted_by"]
    readonly_fields = ["answers", "documents"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "application", "question_key", "size", "uploaded_at", "removed_at"]
    list_select_related = ["application"]
    search_fields = ["name", "sha256", "application__reference"]
    exclude = ["file"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(FaqEntry)
admin.site.register(CorrectionRequest)
