#!/usr/bin/env bash
# Installs the Debian 12 packages cqlist builds and tests with. Idempotent: packages
# already present are skipped, so re-running costs one dpkg query.
set -euo pipefail

build_packages=(
  cmake ninja-build ccache pkg-config g++ clang clang-format libclang-rt-14-dev
  libexpected-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libidn2-dev libssl-dev libsqlite3-dev sqlite3
  libsodium-dev  # Ed25519 signing: about twice as fast as OpenSSL 3.0's
  libboost1.81-dev  # Asio coroutines and Beast; replaces the 1.74 headers (libboost-dev)
  libpsl-dev publicsuffix  # DMARC RFC 7489 compatibility mode (Public Suffix List)
  libunbound-dev libevent-dev nettle-dev unbound  # libunbound.pc requires libevent, nettle
  libgtest-dev libgmock-dev libbenchmark-dev libgmime-3.0-dev
  libyaml-cpp-dev  # tests only: ARC conformance suite (YAML)
  python3
  python3-dkim python3-dnspython opendkim-tools libmail-dkim-perl libnet-dns-perl
  iproute2  # DKIM interop tests (opendkim runs in a private network namespace)
  postfix swaks  # end-to-end: a private Postfix instance in front of and behind cqlist
  python3-spf python3-aiosmtpd  # the receiving sink (pyspf; dkimpy is above)
  python3-authres  # dkimpy needs it for ARC (arc_sign, arc_verify)
  spfquery mlmmj  # benchmarks: libspf2 and mlmmj as references
  libsisimai-perl  # bounce benchmark: the reference bounce parser
  opendkim ldnsutils  # opendkim -t signs rsa-sha256 for interop; ldns signs the DNSSEC test zones
)

missing=()
for pkg in "${build_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#build_packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
