from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit, exclude=("level",))
    list_display = ("name", "kind", "code", "division_code", "level", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "code", "division_code")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Keep the level consistent with the kind and the (possibly new) parent.
        from .selectors import parent_of
        from .services import level_for

        obj.refresh_from_db()
        level = level_for(kind=obj.kind, parent=parent_of(obj))
        if obj.level != level:
            Unit.objects.filter(pk=obj.pk).update(level=level)
