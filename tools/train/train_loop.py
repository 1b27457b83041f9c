"""The training loop both models share: AdamW, linear warm-up then cosine decay, gradient clipping, logs,
periodic evaluation on fresh scenes, and a checkpoint after each evaluation (so a stopped run still exports)."""
import json
import math
import os
import time

import torch

WARMUP = 100


def schedule(step, steps, lr):
    if step < WARMUP:
        return lr * (step + 1) / WARMUP
    return lr * 0.5 * (1 + math.cos(math.pi * (step - WARMUP) / max(1, steps - WARMUP)))


def optimizer(model, lr):
    """AdamW with weight decay on matrices only (not norms, biases, embeddings or scales)."""
    decays = lambda n, p: p.ndim >= 2 and "embedding" not in n and "_pos" not in n  # noqa: E731
    decay = [p for n, p in model.named_parameters() if decays(n, p)]
    rest = [p for n, p in model.named_parameters() if not decays(n, p)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98))


def train(model, batches, loss_fn, evaluate, checkpoint: dict, args, after_step=None):
    """Runs args.steps steps (or the first args.stop_after of them, on the same schedule); `loss_fn(model, batch)`
    gives (loss, {name: value}); `evaluate(model)` a metrics dict. Saves `checkpoint` plus weights, metrics history
    and wall time to args.out after every evaluation."""
    print(f"parameters: {sum(p.numel() for p in model.parameters())}", flush=True)
    opt = optimizer(model, args.lr)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    start, history = time.time(), []
    # A stage may stop early and keep the schedule of the full --steps (--stop-after, where the script has it).
    last = getattr(args, "stop_after", None) or args.steps
    for step in range(last):
        for group in opt.param_groups:
            group["lr"] = schedule(step, args.steps, args.lr)
        loss, parts = loss_fn(model, next(batches))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if after_step:
            after_step(model)
        if step % 25 == 0 or step == last - 1:
            el = time.time() - start
            shown = " ".join(f"{k} {v:.3f}" for k, v in parts.items())
            print(f"step {step} loss {loss.item():.3f} {shown} {el / (step + 1):.2f}s/step {el / 60:.1f}min", flush=True)
        if (step + 1) % args.eval_every == 0 or step == last - 1:
            metrics = evaluate(model)
            history.append({"step": step + 1, **metrics})
            print("eval", json.dumps(metrics), flush=True)
            torch.save({**checkpoint, "model": model.state_dict(), "args": vars(args), "history": history,
                        "wall_s": time.time() - start, "steps_done": step + 1}, args.out)
    print(f"done in {(time.time() - start) / 60:.1f} min", flush=True)


def load_weights(model, weights: dict) -> None:
    """Loads saved weights; only the heads of training tasks newer than the checkpoint (the model's
    TRAINING_ONLY name prefixes) may be missing, and they keep their fresh initialisation."""
    missing, unexpected = model.load_state_dict(weights, strict=False)
    fresh = getattr(model, "TRAINING_ONLY", ())
    if unexpected or not all(k.startswith(fresh) for k in missing):
        raise ValueError(f"checkpoint does not fit the model: missing {missing}, unexpected {unexpected}")


def load_checkpoint(path, model_class):
    """(model in eval mode, its config) from a checkpoint that `train` saved, on 2 threads as training runs."""
    torch.set_num_threads(2)
    state = torch.load(path)
    model = model_class(state["config"]).eval()
    load_weights(model, state["model"])
    return model, state["config"]
