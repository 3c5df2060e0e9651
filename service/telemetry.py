"""Prometheus metrics of one app instance (its own registry, so several apps can coexist).

rabat_http_requests_total{endpoint, method, status}
rabat_http_request_duration_seconds{endpoint, method, status}   histogram
rabat_labels_total{label}                     texts answered, by predicted label
rabat_batch_size                              histogram: texts per model call
rabat_batch_duration_seconds                  histogram: seconds per model call
rabat_batch_failures_total                    model calls that raised
rabat_pending_texts                           texts queued or being analysed
rabat_model_info{version, base_model, ...}    1 for the model being served
rabat_ready                                   1 when /ready answers 200
rabat_retrain_jobs_total{outcome}             retraining jobs finished: done or failed
rabat_retrain_running                         1 while a retraining job runs
rabat_label_studio_events_total{action}       Label Studio webhook events received
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector

from rabat.labels import LABELS

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class ServiceMetrics:
    """The metrics above, registered on a fresh registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        self.requests = Counter(
            "rabat_http_requests", "HTTP requests", ["endpoint", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "rabat_http_request_duration_seconds",
            "HTTP request latency",
            ["endpoint", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.labels = Counter("rabat_labels", "texts answered by label", ["label"], registry=r)
        for label in LABELS:
            self.labels.labels(label)  # export 0 before the first request
        self.batch_size = Histogram(
            "rabat_batch_size", "texts per model call", buckets=BATCH_BUCKETS, registry=r
        )
        self.batch_seconds = Histogram(
            "rabat_batch_duration_seconds",
            "seconds per model call",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_failures = Counter("rabat_batch_failures", "model calls that raised", registry=r)
        self.pending = Gauge("rabat_pending_texts", "texts queued or being analysed", registry=r)
        self.model = Info("rabat_model", "the model being served", registry=r)
        self.ready = Gauge("rabat_ready", "1 when the service is ready", registry=r)
        self.retrain_jobs = Counter(
            "rabat_retrain_jobs", "retraining jobs finished, by outcome", ["outcome"], registry=r
        )
        for outcome in ("done", "failed"):
            self.retrain_jobs.labels(outcome)
        self.retrain_running = Gauge(
            "rabat_retrain_running", "1 while a retraining job runs", registry=r
        )
        self.ls_events = Counter(
            "rabat_label_studio_events", "Label Studio webhook events", ["action"], registry=r
        )

    def show_model(self, card: dict[str, Any]) -> None:
        """rabat_model_info for the model being served (at start-up and after each swap)."""
        self.model.info({"version": str(card["version"]), "base_model": str(card["base_model"])})

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, method, str(status)).inc()
        self.latency.labels(endpoint, method, str(status)).observe(seconds)

    def observe_batch(self, items: int, seconds: float, failed: bool) -> None:
        """The batcher's callback, called from the event loop after each model call."""
        self.batch_size.observe(items)
        self.batch_seconds.observe(seconds)
        if failed:
            self.batch_failures.inc()

    def count_labels(self, labels: list[str]) -> None:
        for label in labels:
            self.labels.labels(label).inc()

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format the scraper asked for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
