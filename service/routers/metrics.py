"""GET /metrics: Prometheus exposition (behind the API key when keys are set)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from service.security import require_api_key
from service.telemetry import ServiceMetrics

router = APIRouter(tags=["metrics"], dependencies=[Depends(require_api_key)])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Requests and latency per endpoint and status, labels served, batch sizes, model info."""
    registry: ServiceMetrics = request.app.state.metrics
    body, content_type = registry.render(request.headers.get("accept"))
    return Response(body, media_type=content_type)
