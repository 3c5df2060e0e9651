#!/usr/bin/env bash
# Podman on a Debian machine without Docker Hub, for `make image-check` (root; idempotent: a
# second run changes nothing and takes seconds).
#
#   1. installs podman, buildah, runc, debootstrap and fuse-overlayfs from Debian;
#   2. configures them: overlay storage, cgroupfs, runc (crun fails on hybrid cgroups) and
#      default ulimits no higher than this shell's hard limits (a sandbox's nofile cap);
#   3. builds $BASE_IMAGE, a stand-in for python:3.11-slim: Debian bookworm (debootstrap
#      --variant=minbase from the mirror apt already uses) with Python 3.11 in a venv on PATH.
#
#   BASE_IMAGE   the stand-in's name (default localhost/rabat-python:3.11-slim; the Dockerfile's
#                BASE_IMAGE argument takes it, its default stays python:3.11-slim)
#   MIRROR       the Debian mirror (default: the first one in /etc/apt/sources.list*)
#
# A configuration file this script did not write is left alone, with a warning.
set -euo pipefail
BASE_IMAGE=${BASE_IMAGE:-localhost/rabat-python:3.11-slim}
SUITE=bookworm  # Python 3.11 is bookworm's python3
MARK="# written by rabat scripts/podman-setup.sh"
STORAGE_CONF=/etc/containers/storage.conf
CONTAINERS_CONF=/etc/containers/containers.conf

if [ "$(id -u)" != 0 ]; then
  echo "scripts/podman-setup.sh installs packages and writes /etc/containers: run it as root" \
    "(or set up podman yourself and run scripts/image-check.sh)" >&2
  exit 1
fi

install_packages() {
  local missing=() tool
  for tool in podman buildah runc debootstrap fuse-overlayfs; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman buildah runc debootstrap fuse-overlayfs \
    netavark aardvark-dns slirp4netns uidmap iptables >/dev/null
}

write_conf() {  # write_conf FILE < content; only where the file is absent or ours
  local file=$1 content
  content="$MARK"$'\n'"$(cat)"
  if [ -f "$file" ] && ! grep -qxF "$MARK" "$file"; then
    echo "warning: $file exists and was not written by this script: left as it is" >&2
    return 0
  fi
  [ -f "$file" ] && [ "$(cat "$file")" = "$content" ] && return 0
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$content" >"$file"
  echo "wrote $file"
}

ulimit_pair() {  # "NAME=N:N": this shell's hard limit, at most $3; nothing where unlimited
  local hard
  hard=$(ulimit -H "$1")
  [ "$hard" = unlimited ] && hard=${3:-}
  [ -n "$hard" ] || return 0
  [ -n "${3:-}" ] && [ "$hard" -gt "$3" ] && hard=$3
  echo "\"$2=$hard:$hard\""
}

configure() {
  local limits
  # podman drops its own nproc to 32768 when it cannot raise it (no CAP_SYS_RESOURCE), and a
  # container may not start above its runtime's limit
  limits=$(printf '%s, ' $(ulimit_pair -n nofile) $(ulimit_pair -u nproc 32768))
  limits=${limits%, }
  write_conf "$STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
  write_conf "$CONTAINERS_CONF" <<CONF
[containers]
# containers (and build steps) start with these limits: higher ones fail where the sandbox caps
# the hard limit
default_ulimits = [${limits}]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
# crun fails on hybrid (v1 + v2) cgroups; runc works
runtime = "runc"
CONF
}

debian_mirror() {  # the first Debian archive URI in apt's sources (deb822 or one-line)
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local file uri
  for file in "${files[@]}"; do
    [ -f "$file" ] || continue
    uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}
               /^deb / {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}' \
      "$file" | grep -v -e security -e '^cdrom:' | head -n 1)
    if [ -n "$uri" ]; then
      echo "$uri"
      return 0
    fi
  done
  echo http://deb.debian.org/debian
}

build_base() {
  if podman image exists "$BASE_IMAGE"; then
    echo "$BASE_IMAGE is there"
    return 0
  fi
  local mirror=${MIRROR:-$(debian_mirror)} started
  started=$(date +%s)
  root=$(mktemp -d /var/tmp/rabat-base.XXXXXX)  # global: the EXIT trap removes it
  trap 'rm -rf "$root"' EXIT
  echo "building $BASE_IMAGE: debootstrap $SUITE from $mirror (a few minutes)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$root/rootfs" "$mirror" >"$root/debootstrap.log" 2>&1 || {
    tail -n 20 "$root/debootstrap.log" >&2
    echo "debootstrap failed (log above): is $mirror reachable? MIRROR=URL picks another" >&2
    return 1
  }
  cat >"$root/rootfs/etc/apt/sources.list" <<LIST
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
LIST
  rm -rf "$root/rootfs/var/cache/apt/archives/"*.deb "$root/rootfs/var/lib/apt/lists/"*
  tar -C "$root/rootfs" -c . | podman import --quiet - localhost/rabat-debootstrap:"$SUITE" >/dev/null
  # Like python:3.11-slim: `python` and `pip` on PATH, a UTF-8 LANG, the updates applied. The
  # venv (not Debian's python3 itself) takes pip installs: bookworm marks its Python as
  # externally managed.
  podman build --pull=never --format docker -t "$BASE_IMAGE" -f - "$root" <<CONTAINERFILE
FROM localhost/rabat-debootstrap:$SUITE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/python \
 && /opt/python/bin/python --version
ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
CMD ["python3"]
CONTAINERFILE
  podman rmi localhost/rabat-debootstrap:"$SUITE" >/dev/null
  echo "built $BASE_IMAGE in $(($(date +%s) - started)) s"
}

install_packages
configure
build_base
