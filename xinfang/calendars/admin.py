from django.contrib import admin
from django.utils import timezone

from .actions import announce_schedule
from .models import CalendarDay, HolidaySchedule


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "is_workday", "name"]


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at", "loaded_by"]
    readonly_fields = ["loaded_at", "loaded_by"]
    inlines = [CalendarDayInline]

    def save_model(self, request, obj, form, change):
        obj.loaded_at = timezone.now()
        obj.loaded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        announce_schedule(form.instance.year)

    def delete_model(self, request, obj):
        year = obj.year
        super().delete_model(request, obj)
        announce_schedule(year)
