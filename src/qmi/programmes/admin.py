from django.contrib import admin

from .models import (
    Challenge,
    ChallengeVersion,
    Commune,
    CommuneRole,
    Edition,
    EditionCommune,
    Phase,
    Programme,
    Sector,
    Theme,
)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee", "name", "departement", "ept_name", "population"]
    list_filter = ["departement", "ept_name"]
    search_fields = ["insee", "name"]
    exclude = ["geometry"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "slug"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Stages move through the back office (audited), not here."""

    list_display = ["title", "number", "stage", "is_public"]
    readonly_fields = ["stage"]
    inlines = [PhaseInline]


@admin.register(EditionCommune)
class EditionCommuneAdmin(admin.ModelAdmin):
    list_display = ["commune", "edition", "district"]
    list_filter = ["edition"]
    list_select_related = ["commune", "edition"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Rewrites go through the back office so each one is kept as a version."""

    list_display = ["title", "edition_commune", "theme", "version"]
    list_select_related = ["edition_commune__commune", "edition_commune__edition", "theme"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChallengeVersion)
class ChallengeVersionAdmin(admin.ModelAdmin):
    list_display = ["challenge", "number", "author", "created_at"]
    list_select_related = ["challenge", "author"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "edition_commune", "area_hectares"]


@admin.register(CommuneRole)
class CommuneRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "edition_commune"]
    list_filter = ["role"]
    raw_id_fields = ["user"]
