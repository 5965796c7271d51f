#!/bin/bash
# Make the small real environments tests/test_doctor.py runs `torchcompat doctor` in (skipped when absent).
#   tests/doctor_envs.sh [DIR]     DIR defaults to $TORCHCOMPAT_DOCTOR_ENVS or ../venvs/doctor beside the checkout
# uv venvs hardlinked from uv's cache (UV_LINK_MODE=hardlink): each costs a few MB once torch 1.8.1 is cached
# (~750 MB download the first time). torchcompat itself is not installed: the tests put the checkout on
# PYTHONPATH. Needs uv, Python 3.9 and 3.11 (found on PATH or by uv), and for cpu-cuda the system Python's
# CPU torch (2.13.0+cpu here) plus torchvision 0.28.0's wheel (the index's CUDA build) from PyPI or a
# local folder given as $TORCHVISION_WHEELS (default /opt/pypi-more/files).
set -euo pipefail
DIR=${1:-${TORCHCOMPAT_DOCTOR_ENVS:-${TORCHCOMPAT_VENVS:-$(cd "$(dirname "$0")/../.." && pwd)/venvs}/doctor}}
PY39=${PY39:-3.9}
PY311=${PY311:-3.11}
WHEELS=${TORCHVISION_WHEELS:-/opt/pypi-more/files}
export UV_LINK_MODE=hardlink PIP_CONSTRAINT=/dev/null
mkdir -p "$DIR"
make() {  # make NAME PYTHON [uv venv flags] -- packages...
  local name=$1 py=$2; shift 2
  local flags=(); while [ "$1" != "--" ]; do flags+=("$1"); shift; done; shift
  rm -rf "$DIR/$name"
  uv venv -q -p "$py" "${flags[@]}" "$DIR/$name"
  if [ $# -gt 0 ]; then uv pip install -q -p "$DIR/$name/bin/python" "$@"; fi
}
# healthy: the measured pair for torch 1.8 (torchvision 0.9.1, torchaudio 0.8.1), numpy 1
make healthy "$PY39" -- torch==1.8.1 torchvision==0.9.1 torchaudio==0.8.1 "numpy<2" packaging
# mismatch: torchvision 0.10.1 (made for torch 1.9) beside torch 1.8.1
make mismatch "$PY39" -- torch==1.8.1 "numpy<2" packaging
uv pip install -q -p "$DIR/mismatch/bin/python" --no-deps torchvision==0.10.1 pillow
# numpy2: torch 1.8.1 (built against NumPy 1) with NumPy 2.0.2
make numpy2 "$PY39" -- torch==1.8.1 numpy==2.0.2 packaging
# cpu-cuda: the system's CPU torch with the index's CUDA torchvision 0.28.0 ("torchvision::nms does not exist")
make cpu-cuda "$PY311" --system-site-packages --
uv pip install -q -p "$DIR/cpu-cuda/bin/python" --no-deps --find-links "$WHEELS" torchvision==0.28.0
echo "made: $(ls "$DIR")"
