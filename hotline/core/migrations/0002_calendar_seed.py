"""Seed the holiday table from chinesecalendar and create the counting-rule row."""

from django.db import migrations


def seed(apps, schema_editor):
    from hotline.core.workdays import calendar_from_chinesecalendar, holiday_names_from_chinesecalendar

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarRule = apps.get_model("core", "CalendarRule")
    years = range(2018, 2031)
    holidays, workdays, known = calendar_from_chinesecalendar(years)
    names = holiday_names_from_chinesecalendar(years)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind="holiday", name=names.get(d, "")) for d in sorted(holidays)]
        + [CalendarDay(date=d, kind="workday", name=names.get(d, "")) for d in sorted(workdays)],
        ignore_conflicts=True,
    )
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="package") for y in sorted(known)], ignore_conflicts=True)
    if not CalendarRule.objects.exists():
        CalendarRule.objects.create()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
