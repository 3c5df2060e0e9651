"""The API docs at /docs: Swagger UI served by the service itself, so that the page works on a
machine without internet (FastAPI's default page loads its JS and CSS from a public CDN).

The assets come from the `swagger-ui-bundle-v2` wheel (Swagger UI 5, which reads the OpenAPI 3.1
that FastAPI writes) and are mounted at ASSETS_URL. ReDoc, FastAPI's other page, is off: it too
loads from a CDN, and /docs shows the same schema. Like /health and /ready, the docs need no API
key (service/security.py).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# Swagger UI's default validatorUrl is a public host: no badge, no request to it.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI's assets and the /docs page (and its OAuth2 redirect page) on `app`,
    made with `FastAPI(docs_url=None, redoc_url=None)`."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("install_docs serves /docs: make the app with docs_url=redoc_url=None")
    app.mount(ASSETS_URL, StaticFiles(directory=Path(str(swagger_ui_path))), name="swagger-ui")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui_html(request: Request) -> HTMLResponse:
        # behind a proxy that strips a prefix, every URL of the page carries it (as FastAPI's)
        root = request.scope.get("root_path", "").rstrip("/")
        assets = root + ASSETS_URL
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
