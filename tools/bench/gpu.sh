#!/usr/bin/env bash
# The performance table on a machine with an NVIDIA GPU: sets up what onnxruntime-node's WebGPU provider
# (Dawn on Vulkan) needs on Linux, then runs `npm run bench -- --ep webgpu` and, where onnxruntime-node was
# installed with its CUDA provider, `--ep cuda`. Tables and JSON go to out/bench/ (and to $OUT when set,
# as on the device machines of this workplace).
#
# Needs: Node 20+, the README's setup done (`ONNXRUNTIME_NODE_INSTALL=skip npm ci`), Debian's chromium for
# the webview figure, and the NVIDIA driver. The Vulkan loader (libvulkan1) comes from, in this order: the
# system; .deb files in .gl/ (fetched beforehand with `apt-get download libvulkan1 libegl1 libglvnd0
# libopengl0 libgl1 libglx0 libgles2` where a machine has no registry); `apt-get install libvulkan1`.
# For --ep cuda install the provider first (it downloads about 300 MB and needs CUDA 12 and cuDNN 9):
#   ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node
# Usage: tools/bench/gpu.sh [extra bench flags, e.g. --only taps,endToEnd]
set -uo pipefail
cd "$(dirname "$0")/../.."

say() { printf '[gpu.sh] %s\n' "$*" >&2; }

command -v node >/dev/null || { say 'node is not installed (Node 20 or later is needed).'; exit 1; }
[ -d node_modules/onnxruntime-node ] || { say 'node_modules is missing: run ONNXRUNTIME_NODE_INSTALL=skip npm ci first.'; exit 1; }
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2

# The Vulkan loader, which Dawn opens at run time.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  if compgen -G '.gl/*.deb' >/dev/null; then
    say 'Unpacking the Vulkan and GL loaders from .gl/'
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say 'Installing libvulkan1'
    apt-get install -y -q libvulkan1 >&2 || say 'apt-get could not install libvulkan1.'
  fi
fi
ldconfig -p | grep -q 'libvulkan\.so\.1' || say 'No Vulkan loader: --ep webgpu will fall back to cpu (the table says so).'

# The NVIDIA driver's Vulkan and EGL manifests, where a container mounts the driver outside the usual folders.
nvidia_share=/usr/local/nvidia/share
if [ ! -e /usr/share/vulkan/icd.d/nvidia_icd.json ] && [ ! -e /etc/vulkan/icd.d/nvidia_icd.json ] && [ -e "$nvidia_share/vulkan/icd.d/nvidia_icd.json" ]; then
  export VK_DRIVER_FILES="$nvidia_share/vulkan/icd.d/nvidia_icd.json"
  export __EGL_VENDOR_LIBRARY_FILENAMES="$nvidia_share/glvnd/egl_vendor.d/10_nvidia.json"
fi
# Dawn looks for a runtime folder and warns or fails without one.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  XDG_RUNTIME_DIR="$(mktemp -d)"
  export XDG_RUNTIME_DIR
  chmod 700 "$XDG_RUNTIME_DIR"
fi

results=out/bench
mkdir -p "$results"
status=0
run_bench() {
  local ep=$1
  shift
  say "npm run bench -- --ep $ep $*"
  if npm run --silent bench -- --ep "$ep" --json "$results/bench-$ep.json" "$@" | tee "$results/bench-$ep.md"; then
    [ -n "${OUT:-}" ] && cp "$results/bench-$ep.json" "$results/bench-$ep.md" "$OUT/"
  else
    say "The $ep run failed."
    status=1
  fi
}

run_bench webgpu "$@"
cuda_library=$(find node_modules/onnxruntime-node/bin -name 'libonnxruntime_providers_cuda.so' -print -quit)
if [ -n "$cuda_library" ]; then
  run_bench cuda "$@"
else
  say 'Skipping --ep cuda: onnxruntime-node has no CUDA provider here (see the install line at the top of this script).'
fi
exit $status
