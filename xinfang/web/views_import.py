"""Upload page for importing the administrative tree (system administrators only)."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts.models import Role
from xinfang.accounts.scoping import has_role
from xinfang.core.xlsx import XLSX_CONTENT_TYPE, build_xlsx
from xinfang.orgs.importer import template_headers, template_rows, units_import_file

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A province-sized file full of errors would make a page nobody can read; the first rows are enough.
MAX_ERRORS_SHOWN = 500
ALLOWED_EXTENSIONS = (".csv", ".xlsx")


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A .csv or .xlsx file of at most 5 MB, with a header row."),
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, import nothing"), required=False)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(ALLOWED_EXTENSIONS):
            raise ValidationError(_("Only .csv and .xlsx files can be imported."))
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


def _require_system_admin(request: HttpRequest) -> None:
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("Only system administrators may import units."))


@login_required
def unit_import(request: HttpRequest) -> HttpResponse:
    _require_system_admin(request)
    report = None
    if request.method == "POST":
        form = UnitImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = units_import_file(
                filename=upload.name or "", content=upload.read(), dry_run=form.cleaned_data["dry_run"]
            )
            logger.info(
                "unit import by user %s of %s: ok=%s dry=%s created=%d updated=%d unchanged=%d bad_rows=%d",
                request.user.pk,
                upload.name,
                report.ok,
                report.dry_run,
                report.created,
                report.updated,
                report.unchanged,
                len(report.row_errors),
            )
            if report.applied:
                form = UnitImportForm()
    else:
        form = UnitImportForm()
    context = {
        "form": form,
        "report": report,
        "row_errors": report.row_errors[:MAX_ERRORS_SHOWN] if report else [],
        "more_errors": max(0, len(report.row_errors) - MAX_ERRORS_SHOWN) if report else 0,
    }
    return render(request, "web/unit_import.html", context)


@login_required
def unit_import_template(request: HttpRequest) -> HttpResponse:
    _require_system_admin(request)
    body = build_xlsx(title=_("Units"), headers=template_headers(), rows=template_rows())
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="unit-import-template.xlsx"'
    return response
