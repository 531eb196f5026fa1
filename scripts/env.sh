#!/usr/bin/env bash
# Create or reuse the local virtual environment .venv.
#   scripts/env.sh run   -> segscope with its runtime extras (enough for the demo)
#   scripts/env.sh test  -> also torch (CPU build) and the test-only reference libraries
# Each level is installed once; a stamp records the hash of the files that define it.
set -euo pipefail
level="${1:-run}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${SEGSCOPE_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  echo "segscope: creating virtual environment in $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >&2
fi
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)

stamp_of() { cat pyproject.toml requirements/*.txt scripts/env.sh | sha256sum | cut -c1-16; }
stamp="$(stamp_of)"

install_run() {
  echo "segscope: installing segscope (runtime)" >&2
  "${pip[@]}" -e ".[nifti,pandas]" >&2
}

install_test() {
  # The CPU build of torch first: a plain 'torch' requirement would pull a multi-GB CUDA build.
  echo "segscope: installing torch 2.13.0 (CPU build) and the test references" >&2
  "${pip[@]}" "torch==2.13.0" >&2
  "${pip[@]}" -e ".[all,torch]" -r requirements/test.txt >&2
  "${pip[@]}" -r requirements/test-nodeps-needs.txt >&2
  "${pip[@]}" --no-deps -r requirements/test-nodeps.txt >&2
  # the reference libraries must not have replaced the CPU build of torch
  local installed
  installed="$("$venv/bin/python" -m pip list 2>/dev/null)"
  if ! grep -qE '^torch +2\.13\.0\+cpu' <<<"$installed"; then
    echo "segscope: expected torch 2.13.0+cpu in $venv, found:" >&2
    grep -i torch <<<"$installed" >&2 || true
    exit 1
  fi
}

case "$level" in
  run)
    [ -f "$venv/.stamp-run-$stamp" ] || [ -f "$venv/.stamp-test-$stamp" ] || {
      install_run; rm -f "$venv"/.stamp-run-*; touch "$venv/.stamp-run-$stamp"; }
    ;;
  test)
    [ -f "$venv/.stamp-test-$stamp" ] || {
      install_test; rm -f "$venv"/.stamp-test-* "$venv"/.stamp-run-*; touch "$venv/.stamp-test-$stamp"; }
    ;;
  *) echo "usage: scripts/env.sh run|test" >&2; exit 2 ;;
esac
echo "$venv"
