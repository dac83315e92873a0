from django.contrib import admin

from .models import Suggestion, SuggestionEvent, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "centre", "opens_on", "closes_on"]
    list_select_related = ["centre"]


class SuggestionEventInline(admin.TabularInline):
    """The history (replies, hiding, restoring): read only, written by the staff screens."""

    model = SuggestionEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "verdict", "text", "actor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["topic", "created_at", "verdict", "hidden"]
    list_select_related = ["topic"]
    # Replies and hiding go through the staff screens, which keep the history (docs/suggestions.md).
    readonly_fields = [
        "author",
        "verdict",
        "reply",
        "hidden",
        "hidden_by",
        "hidden_at",
        "hidden_reason",
        "replied_by",
        "replied_at",
    ]
    inlines = [SuggestionEventInline]
