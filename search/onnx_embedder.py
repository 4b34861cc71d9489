"""The bundled sentence-transformers model run by ONNX Runtime: the same vectors, without torch.

A short query (the product suite's 210: 5-31 tokens) cost ~5.6 ms on this machine with nothing else
running, before the fusion below (~3 ms on the issue's), against ~13-16 ms through
sentence-transformers; ONNX Runtime releases the GIL while it computes, so two queries can embed on
two cores at once. Nearly all of it is the model:
tokenising, the arrays, pooling and the lists take ~0.7 ms together under load (`python -m
conseil.eval.bench_embed --query-path`, which measures every choice below, interleaved in one process).

Chosen by measurement (CPU per query, fp32 throughout so the vectors stay the same): the graph is
fused offline by ONNX Runtime's BERT optimiser (`fuse_transformer`), since the eager export's
attention is a pattern its online optimiser misses (254 nodes left, 46 fused): 6-10% less CPU a
query with one thread in three runs of four (11.8 / 12.5 / 11.1 vs 13.1 / 13.2 / 11.9 ms, load
1-16); the fourth (load ~4) showed 12.2 vs 11.3, inside its noise (two identical sessions differed
by 2 ms). A small gain, not the 2x the target needs; in bulk no difference measurable. One intra-op thread
by default (Settings.embedding_threads): two cost more CPU a query (12.7-14.5 ms) for a wall-time
gain only an idle second core gives. Intra-op threads do not spin (two spinning: 21.6-25.2 ms of
CPU a query). Measured and not kept: IO binding (11.4 vs 11.3 ms) and ORT_PARALLEL execution with
2 inter-op threads (23.2 ms: the fused graph is one chain of kernels, so it only adds overhead).

The ONNX graph is exported once from the model's own weights (torch and transformers, imported
only for the export) and cached under the user cache, keyed by a fingerprint of the weights, so
nothing is ever downloaded and a changed model never reuses a stale graph. Tokenisation is the
model's `tokenizer.json` with padding turned off (the bundled file pads to 128 tokens, which made
a short query ten times slower) and truncation at sentence-transformers' `max_seq_length`; pooling
is the mean over real tokens, then L2 normalisation, as the model's `1_Pooling` and `2_Normalize`
modules do. tests/test_onnx_embedder.py holds the parity test (cosine >= 0.9999).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from conseil.search.errors import ConfigurationError

OPSET = 17
EXPORT_VERSION = 2  # bump when the export recipe changes, so cached graphs are rebuilt (2: fused)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MIN_CHUNK = 4  # texts a model call holds before padding may close it: ~4.8 ms a query at 4 or 8, 8.2 at 1
PAD_LIMIT = 1.25  # padded tokens / real tokens a model call may reach


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/conseil/onnx (~/.cache/conseil/onnx): shared by every data directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conseil" / "onnx"


def supports_onnx(model_dir: Path) -> bool:
    """A local sentence-transformers BERT-style model with mean pooling: what this module reproduces."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        kinds in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"])
        and pooling.get("pooling_mode_mean_tokens") is True
        and not any(pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                              "pooling_mode_mean_sqrt_len_tokens"))
        and (model_dir / "tokenizer.json").is_file()
        and (model_dir / "model.safetensors").is_file()
    )


def weights_fingerprint(model_dir: Path) -> str:
    """Cheap and content-based: the weights' size, first and last MiB, config and tokenizer."""
    digest = hashlib.sha256(f"v{EXPORT_VERSION}/opset{OPSET}".encode())
    weights = model_dir / "model.safetensors"
    size = weights.stat().st_size
    digest.update(str(size).encode())
    with weights.open("rb") as fh:
        digest.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        digest.update(fh.read())
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        path = model_dir / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def onnx_graph(model_dir: Path, cache_dir: Path | None = None, *, fused: bool = True) -> Path:
    """The cached ONNX graph of `model_dir`, exported on first use (~5-10 s, needs torch)."""
    kind = "" if fused else "-plain"
    target = (cache_dir or default_cache_dir()) / f"{model_dir.name}-{weights_fingerprint(model_dir)}{kind}.onnx"
    if not target.is_file():
        export_onnx(model_dir, target, fuse=fused)
    return target


def export_onnx(model_dir: Path, target: Path, *, fuse: bool = True) -> None:
    """Export the transformer (last hidden state), then fuse it (`fuse_transformer`; `fuse=False`
    keeps the plain graph, for eval/bench_embed.py's comparison); pooling stays in numpy. Atomic: a
    reader never sees a half-written file, and two processes exporting at once both end with a whole one."""
    import warnings

    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigurationError("Exporting the model to ONNX needs torch and transformers: run the "
                                 "README's install command, or set CONSEIL_EMBEDDING_RUNTIME=torch.") from exc

    # eager attention: a plain graph with the mask as an input (SDPA traces shape checks as constants)
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    sample = torch.ones(2, 8, dtype=torch.long)
    dynamic = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    plain, fused = (_temp_file(target.parent) for _ in range(2))
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about constants that do not vary here
            torch.onnx.export(LastHiddenState(model), (sample, sample, torch.zeros_like(sample)), plain,
                              input_names=list(_INPUTS), output_names=["last_hidden_state"],
                              dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
        if fuse:
            fuse_transformer(Path(plain), Path(fused), model_dir)
            os.replace(fused, target)
        else:
            os.replace(plain, target)
    finally:
        for name in (plain, fused):
            if os.path.exists(name):
                os.unlink(name)


def fuse_transformer(source: Path, target: Path, model_dir: Path) -> None:
    """ONNX Runtime's offline BERT fusions (fp32: the same arithmetic, fewer kernels). The eager
    export's attention is a pattern the online optimiser does not fuse: 254 nodes after it, 46 after
    this (one EmbedLayerNormalization, Attention, BiasGelu and SkipLayerNormalization per layer).
    opt_level 0: only these graph rewrites, nothing tied to this machine's CPU."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigurationError("Fusing the ONNX graph needs onnxruntime's transformers tools (part of "
                                 "the onnxruntime wheel): reinstall onnxruntime.") from exc
    config = json.loads((model_dir / "config.json").read_text())
    model = optimize_model(str(source), model_type="bert", num_heads=int(config["num_attention_heads"]),
                           hidden_size=int(config["hidden_size"]), opt_level=0, use_gpu=False)
    model.save_model_to_file(str(target))


def _temp_file(folder: Path) -> str:
    fd, name = tempfile.mkstemp(dir=folder, suffix=".onnx.tmp")
    os.close(fd)
    return name


class OnnxBackend:
    """`embed(texts)`: tokenise without padding, run in length-sorted batches, mean-pool, normalise."""

    def __init__(self, model_dir: Path, *, cache_dir: Path | None = None, threads: int = 0,
                 batch_size: int = 64, fused: bool = True, spinning: bool = False) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigurationError("onnxruntime is not installed: run the README's install command, "
                                     "or set CONSEIL_EMBEDDING_RUNTIME=torch.") from exc
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=_max_seq_length(model_dir))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0 = one per core
        # Threads that spin after a run would steal the core another request's parsing needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        graph = onnx_graph(model_dir, cache_dir, fused=fused)
        self.session = ort.InferenceSession(str(graph), options,
                                            providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[2] or _hidden_size(model_dir))

    def embed(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for chunk in length_chunks(order, [len(encodings[i].ids) for i in order], self.batch_size):
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, i in enumerate(chunk):
                enc = encodings[i]
                ids[row, : len(enc.ids)] = enc.ids
                mask[row, : len(enc.ids)] = 1
                types[row, : len(enc.ids)] = enc.type_ids
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[chunk] = pooled / norms
        return out.tolist()


def length_chunks(order: list[int], lengths: list[int], most: int) -> list[list[int]]:
    """Model calls over texts sorted by token count (`lengths[k]` is text `order[k]`'s): at most `most`
    texts each, and a call closes early, once it holds MIN_CHUNK texts, when the next text would pad
    it past PAD_LIMIT of its real tokens. A batch of distinct queries (5 to 40 tokens) padded to its
    longest cost 6.6 ms of CPU a query at 32 queries a call, 4.1 ms in calls of 8 (bench under load).
    """
    chunks: list[list[int]] = []
    chunk: list[int] = []
    real = 0
    for index, length in zip(order, lengths, strict=True):
        padded = max(length, 1) * (len(chunk) + 1)  # sorted: this text is the longest so far
        if chunk and (len(chunk) >= most or (len(chunk) >= MIN_CHUNK and padded > PAD_LIMIT * (real + length))):
            chunks.append(chunk)
            chunk, real = [], 0
        chunk.append(index)
        real += length
    if chunk:
        chunks.append(chunk)
    return chunks


def _max_seq_length(model_dir: Path) -> int:
    """sentence-transformers truncates at max_seq_length (256 here), not the tokenizer file's 128."""
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 512


def _hidden_size(model_dir: Path) -> int:
    return int(json.loads((model_dir / "config.json").read_text())["hidden_size"])
