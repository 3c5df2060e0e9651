#!/usr/bin/env bash
# The system packages the project needs (Debian; root), each installed only when missing:
# - the en_US.UTF-8 locale: the hatesonar baseline's ONNX text normaliser needs it;
# - with `--browser` (make test): Chromium and its chromedriver, in which
#   tests/service/test_docs_page.py opens /docs. Serving never needs them.
set -euo pipefail
need_locale=1
if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
  need_locale=0
fi
need_chromium=0
if [ "${1:-}" = --browser ] && ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  need_chromium=1
fi
if [ "$need_locale$need_chromium" = 00 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages. As root, run:" >&2
  if [ "$need_locale" = 1 ]; then
    echo "  apt-get install -y locales && sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen && locale-gen" >&2
  fi
  if [ "$need_chromium" = 1 ]; then
    echo "  apt-get install -y chromium chromium-driver   # the /docs browser test" >&2
  fi
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ "$need_locale" = 1 ]; then
  echo "installing the en_US.UTF-8 locale (hatesonar baseline)"
  apt-get install -y -qq locales >/dev/null
  sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen
  locale-gen >/dev/null
fi
if [ "$need_chromium" = 1 ]; then
  echo "installing chromium and chromium-driver (the /docs browser test)"
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
