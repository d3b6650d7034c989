import cProfile, pstats, io, datetime as dt
import pytest
from xinfang.petitions.tests.test_sweep import _due_clocks
from xinfang.petitions.sweep import sweep_once

@pytest.mark.django_db
def test_prof(demo):
    ids, today = _due_clocks(200)
    from django.utils import translation
    translation.gettext("x")
    pr = cProfile.Profile(); pr.enable()
    import time; t=time.time()
    r = sweep_once(today=today, batch_size=10)
    print("ELAPSED", time.time()-t, r)
    pr.disable(); s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(25); print(s.getvalue()[:6000])
