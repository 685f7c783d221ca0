# Shared by scripts/quickstart and scripts/test: make .venv with Python 3.11 and install the project.
# Usage: source scripts/_venv.sh "<pip extras spec>"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$candidate"; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "需要 Python 3.11（Debian 12: apt-get install python3 python3-venv）" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -q python3-venv >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
      "$PY" -m venv .venv
    else
      echo "无法创建虚拟环境：请先安装 python3-venv（sudo apt-get install python3-venv）" >&2
      exit 1
    fi
  fi
fi
STAMP=".venv/.installed-$1"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".$1"
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=hotline.settings
