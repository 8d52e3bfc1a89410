#!/usr/bin/env bash
# Makes the base images for hosts that reach no container registry, with podman (as root):
#   localhost/stargan-debian:bookworm   Debian minbase from the package mirror apt already uses (debootstrap)
#   localhost/stargan-jre:17            that plus Debian's Java 17 runtime (deploy/docker/Dockerfile.jre)
# The service images then take BASE=localhost/stargan-jre:17. Each image is made only when missing (the JRE build
# reuses podman's layer cache), so a second run costs seconds. Needs Debian's podman, buildah, runc and debootstrap.
# Settings: STARGAN_DEBIAN_MIRROR (default: read from /etc/apt/sources*), CONTAINERS_CONF (default: the file beside
# this script).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
# debootstrap lives in /usr/sbin, which not every root PATH names.
export PATH="$PATH:/usr/sbin:/sbin"
DEBIAN_IMAGE=localhost/stargan-debian:bookworm
JRE_IMAGE=localhost/stargan-jre:17

die() { echo "local-base: $*" >&2; exit 1; }
for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || die "$tool not found: apt-get install podman buildah runc debootstrap"
done

# The first Debian mirror of the host's apt sources that is not the security archive (deb822 files, then sources.list).
mirror_from_apt() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; suites = ""
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
             if ($i ~ /^Suites:/) suites = $i
           }
           if (uri != "" && suites != "" && suites !~ /security/) { print uri; exit } }' "$f"
  done
  [ -f /etc/apt/sources.list ] \
    && awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
      /etc/apt/sources.list
  return 0
}

if ! podman image exists "$DEBIAN_IMAGE"; then
  mirror="${STARGAN_DEBIAN_MIRROR:-$(mirror_from_apt | head -n 1)}"
  [ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources*; set STARGAN_DEBIAN_MIRROR to one (a URL)"
  root="$(mktemp -d "${TMPDIR:-/tmp}/stargan-debian.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  start=$SECONDS
  echo "local-base: debootstrap bookworm from $mirror ..." >&2
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; die "debootstrap failed (log above)"; }
  rm -f "$root.log"
  # Package caches and lists are rebuilt by whoever installs more (Dockerfile.jre runs apt-get update).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | podman import - "$DEBIAN_IMAGE" >/dev/null
  echo "local-base: $DEBIAN_IMAGE made in $((SECONDS - start)) s" >&2
fi

start=$SECONDS
podman build -q --network host --pull=never --build-arg DEBIAN_BASE="$DEBIAN_IMAGE" \
  -f "$here/../docker/Dockerfile.jre" -t "$JRE_IMAGE" "$here" >/dev/null
echo "local-base: $JRE_IMAGE ready in $((SECONDS - start)) s" >&2
