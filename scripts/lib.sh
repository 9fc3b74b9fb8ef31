# Shared by the scripts in this folder: the Debian 12 packages the project needs, and a check
# that installs the missing ones (as root) or prints the exact apt-get line (otherwise).

TWEETUP_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache lld
  libboost1.81-dev libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsqlitecpp-dev libsqlite3-dev doctest-dev libhowardhinnant-date-dev libcli11-dev
  tzdata zlib1g-dev ca-certificates
)

# ensure_packages [extra packages...]
ensure_packages() {
  local wanted=("${TWEETUP_PACKAGES[@]}" "$@") missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# configure_and_build BUILD_DIR BUILD_TYPE TARGET [cmake options...]
configure_and_build() {
  local dir=$1 type=$2 target=$3
  shift 3
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" --target "$target" -j "$(nproc)"
}
