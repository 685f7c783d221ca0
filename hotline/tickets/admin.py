from django.contrib import admin

from hotline.tickets.models import Category, DeadlinePolicy


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "pinyin_initials")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ("type", "urgency", "category", "budget", "unit", "ack_hours", "warn_ratio")
