#!/usr/bin/env bash
# The hatesonar baseline's ONNX text normaliser needs the en_US.UTF-8 locale.
set -euo pipefail
if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing the en_US.UTF-8 locale (needed by the hatesonar baseline). As root, run:" >&2
  echo "  apt-get install -y locales && sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen && locale-gen" >&2
  exit 1
fi
echo "installing the en_US.UTF-8 locale (hatesonar baseline)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq locales >/dev/null
sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen
locale-gen >/dev/null
