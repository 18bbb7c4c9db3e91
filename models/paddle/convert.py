#!/usr/bin/python3
"""Rewrites the PP-OCRv4 ONNX models so that OpenCV 4.6's DNN module loads them.

det: opset-11 Clip takes min/max as inputs, which OpenCV 4.6 ignores; they
become attributes. rec: the input gets a static 1x3x48xW shape, one file per
width, the Shape arithmetic is folded into constants, and constants that
broadcast over the last axis (LayerNorm's scale and bias) are expanded to the
full shape, since OpenCV's Scale layer matches a constant from axis 1.

usage: convert.py ASSETS_DIR OUT_DIR WIDTH...
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference


def constants(graph):
    out = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            out[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return out


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def known_shapes(model):
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        dims = v.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") for d in dims):
            shapes[v.name] = [d.dim_value for d in dims]
    return shapes


CAST = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def evaluate(node, inputs, shapes):
    """The node's output for constant inputs, or None when it is not folded."""
    op, a = node.op_type, attrs(node)
    if op == "Shape":
        shape = shapes.get(node.input[0])
        return None if shape is None else np.array(shape, dtype=np.int64)
    if any(x is None for x in inputs):
        return None
    if op == "Cast":
        return inputs[0].astype(CAST[a["to"]])
    if op == "Slice":
        if "starts" in a:
            starts, ends, axes = a["starts"], a["ends"], a.get("axes")
        else:
            starts, ends = inputs[1].tolist(), inputs[2].tolist()
            axes = inputs[3].tolist() if len(inputs) > 3 else None
        axes = axes if axes is not None else list(range(len(starts)))
        index = [slice(None)] * inputs[0].ndim
        for s, e, ax in zip(starts, ends, axes):
            index[ax] = slice(s, e)
        return inputs[0][tuple(index)]
    if op == "Concat":
        return np.concatenate(inputs, axis=a["axis"])
    if op == "Gather":
        return np.take(inputs[0], inputs[1], axis=a.get("axis", 0))
    if op == "Unsqueeze":
        out = inputs[0]
        for ax in sorted(a["axes"]):
            out = np.expand_dims(out, ax)
        return out
    if op == "Squeeze":
        return np.squeeze(inputs[0], axis=tuple(a["axes"])) if "axes" in a else np.squeeze(inputs[0])
    if op in ("Mul", "Add", "Sub", "Div"):
        f = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op]
        out = f(inputs[0], inputs[1])
        return out.astype(inputs[0].dtype) if op == "Div" and inputs[0].dtype.kind == "i" else out
    return None


def fold(model):
    """Replaces every node whose output is computable ahead of time by a Constant."""
    while True:
        graph = model.graph
        values = constants(graph)
        shapes = known_shapes(model)
        changed = False
        nodes = []
        for node in graph.node:
            if node.op_type != "Constant" and len(node.output) == 1:
                out = evaluate(node, [values.get(x) for x in node.input], shapes)
                if out is not None:
                    out = np.asarray(out)
                    values[node.output[0]] = out
                    nodes.append(helper.make_node("Constant", [], [node.output[0]],
                                                  value=numpy_helper.from_array(out, node.output[0])))
                    changed = True
                    continue
            nodes.append(node)
        del graph.node[:]
        graph.node.extend(nodes)
        if not changed:
            return model


def expand_broadcasts(model):
    """Constants of Mul/Add/Sub/Div that broadcast from the right get the full shape."""
    shapes = known_shapes(model)
    graph = model.graph
    values = constants(graph)
    nodes = []
    for node in graph.node:
        if node.op_type in ("Mul", "Add", "Sub", "Div") and len(node.input) == 2:
            for i in (0, 1):
                c, other = node.input[i], node.input[1 - i]
                if c in values and other not in values and other in shapes:
                    value = values[c]
                    full = shapes[other]
                    if 1 < value.size < int(np.prod(full)) and value.ndim < len(full):
                        name = c + ".full." + node.output[0]
                        expanded = np.ascontiguousarray(np.broadcast_to(value, full)).astype(value.dtype)
                        nodes.append(helper.make_node("Constant", [], [name],
                                                      value=numpy_helper.from_array(expanded, name)))
                        node.input[i] = name
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def drop_unused(model):
    graph = model.graph
    used = {x for node in graph.node for x in node.input} | {o.name for o in graph.output}
    while True:
        keep = [n for n in graph.node if n.op_type != "Constant" or n.output[0] in used]
        if len(keep) == len(graph.node):
            return model
        del graph.node[:]
        graph.node.extend(keep)
        used = {x for node in graph.node for x in node.input} | {o.name for o in graph.output}


def set_input_shape(model, shape):
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for d, v in zip(dims, shape):
        d.Clear()
        d.dim_value = v
    for out in model.graph.output:
        for d in out.type.tensor_type.shape.dim:
            d.Clear()


def convert_det(src, dst):
    model = onnx.load(src)
    values = constants(model.graph)
    for node in model.graph.node:
        if node.op_type == "Clip" and len(node.input) == 3:
            low, high = float(values[node.input[1]]), float(values[node.input[2]])
            del node.input[1:]
            node.attribute.extend([helper.make_attribute("min", low), helper.make_attribute("max", high)])
    onnx.save(drop_unused(model), dst)


def convert_rec(src, dst, width):
    model = onnx.load(src)
    set_input_shape(model, [1, 3, 48, width])
    model = drop_unused(expand_broadcasts(fold(model)))
    onnx.save(model, dst)


def main():
    assets, out, widths = sys.argv[1], sys.argv[2], [int(w) for w in sys.argv[3:]]
    os.makedirs(out, exist_ok=True)
    convert_det(os.path.join(assets, "ch_PP-OCRv4_det_infer.onnx"), os.path.join(out, "det.onnx"))
    for width in widths:
        convert_rec(os.path.join(assets, "ch_PP-OCRv4_rec_infer.onnx"),
                    os.path.join(out, "rec_%d.onnx" % width), width)
    shutil.copyfile(os.path.join(assets, "ppocr_keys_v1.txt"), os.path.join(out, "keys.txt"))


if __name__ == "__main__":
    main()
