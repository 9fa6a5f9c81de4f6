# Sourced by the scripts that build Go tools (collector, Jaeger): finds Go, and gives it a HOME
# for its default module and build caches (kept between runs on the same machine).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go not found (looked on PATH and in /usr/local/go/bin)" >&2
  exit 1
fi
if [ -z "${HOME:-}" ]; then
  HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
  export HOME
fi
export CGO_ENABLED=0
