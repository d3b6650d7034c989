"""Downloads: a run's league table and a unit's assessment report, as XLSX or PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xinfang.assessment import documents, selectors
from xinfang.assessment.models import ScoreRun
from xinfang.core.xlsx import XLSX_CONTENT_TYPE

PDF = "application/pdf"


def _file(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else PDF)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def league_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    run = ScoreRun.objects.select_related("scheme__area").filter(pk=pk).first()
    if run is None or fmt not in {"xlsx", "pdf"}:
        raise Http404(_("Not found."))
    if not selectors.visible_schemes(request.user).filter(pk=run.scheme_id).exists():
        raise Http404(_("Not found."))
    content = documents.league_xlsx(run) if fmt == "xlsx" else documents.league_pdf(run)
    return _file(content, fmt, f"league-{run.scheme.year}-{run.pk}")


@login_required
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "pdf"}:
        raise Http404(_("Not found."))
    try:
        score = selectors.get_score(request.user, pk)
    except Exception as exc:
        raise Http404(_("Not found.")) from exc
    content = documents.report_xlsx(score) if fmt == "xlsx" else documents.report_pdf(score)
    return _file(content, fmt, f"report-{score.run.scheme.year}-{score.unit.code}")
