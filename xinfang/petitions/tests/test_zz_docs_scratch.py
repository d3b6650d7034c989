import itertools
from pathlib import Path

from xinfang.petitions import documents
from xinfang.petitions.tests import test_documents as t

OUT = Path("/tmp/docs-check")
counter = itertools.count()


def _wrap(fn, ext):
    def inner(petition, kind):
        data = fn(petition, kind)
        (OUT / f"{petition.pk}-{documents.DocumentKind(kind).value}.{ext}").write_bytes(data)
        return data
    return inner


def test_dump(demo, monkeypatch):
    OUT.mkdir(exist_ok=True)
    monkeypatch.setattr(t, "render_docx", _wrap(documents.render_docx, "docx"))
    monkeypatch.setattr(t, "render_pdf", _wrap(documents.render_pdf, "pdf"))
    t.test_documents_follow_a_grievance_from_acceptance_to_final_re_review(demo)
    t.test_diverted_grievance_gets_a_non_acceptance_notice_naming_the_procedure(demo)
    t.test_redirected_and_declined_upper_petitions_get_their_own_reasons(demo)
