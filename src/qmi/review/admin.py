from django.contrib import admin

from .models import (
    Assignment,
    Conflict,
    Criterion,
    Juror,
    JurorReminder,
    KnownLink,
    Phase,
    Review,
    Score,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "order", "status", "scoring", "identities_shown"]
    list_filter = ["status"]
    raw_id_fields = ["call"]
    inlines = [CriterionInline]


@admin.register(Juror)
class JurorAdmin(admin.ModelAdmin):
    list_display = ["user", "call", "kind", "capacity", "withdrawn_at"]
    list_filter = ["kind"]
    raw_id_fields = ["call", "user"]
    filter_horizontal = ["themes", "communes"]


@admin.register(KnownLink)
class KnownLinkAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "reason"]
    raw_id_fields = ["user", "organisation", "recorded_by"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["juror", "application", "reason", "created_at"]
    raw_id_fields = ["juror", "application"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["juror", "application", "phase", "source"]
    list_filter = ["source"]
    raw_id_fields = ["phase", "juror", "application"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    raw_id_fields = ["criterion"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "total", "submitted_at"]
    list_filter = ["status"]
    raw_id_fields = ["assignment"]
    inlines = [ScoreInline]


@admin.register(JurorReminder)
class JurorReminderAdmin(admin.ModelAdmin):
    list_display = ["juror", "phase", "days_before", "sent_at"]
    raw_id_fields = ["juror", "phase"]
