"""`python -m service`: serve the app with uvicorn on RABAT_HOST:RABAT_PORT (one process).

One process on purpose: the model is loaded once and all requests share its micro-batches;
to use more cores, raise RABAT_TORCH_THREADS rather than adding workers.

The model loads before the server binds its port (as uvicorn's start-up would), so a model that
cannot load (missing, damaged, a bad policy) ends the process with one line that says what to
fix (e.g. no model: run `make train`; a damaged file: its path) instead of a traceback.

Exit status: 2 for invalid settings; 3 when start-up fails.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from service.app import create_app
from service.runtime import StartupError, load_analyzer
from service.settings import SettingsError, load_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        settings = load_settings()
    except SettingsError as err:
        print(err, file=sys.stderr)
        return 2
    logging.getLogger().setLevel(settings.log_level.upper())
    try:
        analyzer = load_analyzer(settings)
    except StartupError as err:
        print(f"error: cannot start: {err}", file=sys.stderr)
        return 3
    uvicorn.run(
        create_app(settings, analyzer),
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep the logging configured above
        access_log=False,  # service.middleware logs one line per request, without the text
        lifespan="on",
        timeout_graceful_shutdown=int(settings.request_timeout_s),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
