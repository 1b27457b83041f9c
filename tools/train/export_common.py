"""What both exports share: ONNX export and check, JSON files, and reference tensors for checkOnnx.mjs."""
import json
import os

import numpy as np
import onnx
import torch

from tokens import encode

OPSET = 17  # LayerNormalization is one node from opset 17, which keeps the final-norm subgraph easy to clone


def write_json(folder: str, name: str, content: dict) -> None:
    with open(os.path.join(folder, name), "w") as f:
        json.dump(content, f, indent=2)
        f.write("\n")


def export(module, inputs: tuple, path: str, input_names, output_names, dynamic_axes) -> None:
    """torch.onnx.export, then onnx.checker; fails loudly if the graph lost its Softmax nodes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, inputs, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    # The exporter names fixed dims symbolically ("Addlast_hidden_state_dim_1"); state the real sizes instead.
    with torch.no_grad():
        results = module(*inputs)
    for out, value in zip(model.graph.output, results):
        dynamic = dynamic_axes.get(out.name, {})
        for axis, dim in enumerate(out.type.tensor_type.shape.dim):
            if axis not in dynamic:
                dim.dim_value = value.shape[axis]
    onnx.checker.check_model(model)
    onnx.save(model, path)
    softmax = sum(1 for n in model.graph.node if n.op_type == "Softmax")
    print(f"{path}: {os.path.getsize(path) / 1e6:.2f} MB, {softmax} Softmax nodes, opset {OPSET}")


def write_reference(folder: str, model_file: str, inputs: dict, outputs: dict) -> None:
    """Raw little-endian tensors plus a manifest, so checkOnnx.mjs can run the ONNX file on the same inputs."""
    os.makedirs(folder, exist_ok=True)
    manifest = {"model": model_file, "inputs": {}, "outputs": {}}
    for kind, tensors in (("inputs", inputs), ("outputs", outputs)):
        for name, t in tensors.items():
            arr = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
            file = f"{kind}.{name}.bin"
            arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(folder, file))
            manifest[kind][name] = {"file": file, "dtype": str(arr.dtype), "shape": list(arr.shape)}
    write_json(folder, "manifest.json", manifest)


def write_token_cases(reference: str, model_folder: str) -> None:
    """Captions and the ids Python trains with, for checkOnnx.mjs to tokenise with @huggingface/tokenizers."""
    cases = ["a red circle", "A  Red   CIRCLE ", "a purple cross left of a orange triangle",
             "a yellow square on the bottom", "a photo of a cat", "a red circle."]
    write_json(reference, "tokens.json", {"tokenizer": os.path.join(model_folder, "tokenizer.json"),
                                          "cases": {c: encode(c) for c in cases}})


def folder_size(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)
