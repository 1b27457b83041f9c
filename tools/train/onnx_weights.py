"""Reads an exported model folder's weights back into its torch model, so that training can resume from a shipped
model when its checkpoint is gone (`train_vlm.py --resume-onnx models/shapes-vlm`), and reference tools can run the
shipped weights in torch (tools/fixtures/clipLens.py).

torch.onnx names most matrices by a counter (`onnx::MatMul_588`, transposed), so which initializer holds which
parameter is found by exporting a copy of the model with distinct random weights the same way and matching values.
"""
import copy
import os
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def initializers(onnx_dir, graphs):
    """{(graph, initializer name): array} of the named graphs (`graph`.onnx in `onnx_dir`)."""
    out = {}
    for graph in graphs:
        for t in onnx.load(os.path.join(onnx_dir, f"{graph}.onnx")).graph.initializer:
            out[(graph, t.name)] = numpy_helper.to_array(t)
    return out


def parameter_sources(model, export, graphs):
    """{parameter name: (graph, initializer name, transposed)} for every parameter `export(model, onnx_dir)` writes,
    found on a copy of `model` whose every weight is distinct (fresh norms are all ones, biases all zeros)."""
    probe = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in probe.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    params = {n: p.detach().numpy() for n, p in probe.named_parameters()}
    with tempfile.TemporaryDirectory() as tmp:
        export(probe, tmp)
        written = initializers(tmp, graphs)
    sources = {}
    for key, value in written.items():
        for name, p in params.items():
            for transposed, candidate in ((False, p), (True, p.T if p.ndim == 2 else None)):
                if candidate is not None and candidate.shape == value.shape and np.array_equal(candidate, value):
                    if name in sources:
                        raise ValueError(f"{name} matches two initializers: {sources[name][:2]} and {key}")
                    sources[name] = (*key, transposed)
    return sources


def load_onnx_weights(model, export, folder, graphs, unexported=()):
    """Copies the weights of the exported folder `folder` (its onnx/ graphs) into `model` (same sizes); parameters
    whose names start with one of `unexported` are not in the graphs and keep their values. Returns how many
    parameters were copied."""
    sources = parameter_sources(model, export, graphs)
    shipped = initializers(os.path.join(folder, "onnx"), graphs)
    missing = [n for n, _ in model.named_parameters() if n not in sources and not n.startswith(tuple(unexported))]
    if missing:
        raise ValueError(f"no initializer found for {missing}")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in sources:
                graph, init, transposed = sources[name]
                value = shipped[(graph, init)]
                p.copy_(torch.tensor(value.T if transposed else value))
    return sum(p.numel() for n, p in model.named_parameters() if n in sources)
