"""The REST API under /api/v1 (django-ninja). One router module per domain."""

from __future__ import annotations

from ninja import NinjaAPI

from . import accounts, agency, analytics, assessment, community, conferences, orgs, petitions, stations
from .auth import SessionAuth, TokenAuth
from .errors import install_error_handlers

api = NinjaAPI(
    title="Xinfang API",
    version="1",
    description=(
        "Petition governance: administrative tree, staff, petitions, petition agency, social forces and "
        "mediation. Token or session authentication."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", accounts.router)
api.add_router("/", orgs.router)
api.add_router("/", petitions.router)
api.add_router("/", stations.router)
api.add_router("/", analytics.router)
api.add_router("/", conferences.router)
api.add_router("/", agency.router)
api.add_router("/", community.router)
api.add_router("/", assessment.router)
