"""Data-parallel prediction under `torchrun` (or `accelerate launch`, which sets the same RANK /
WORLD_SIZE / LOCAL_RANK environment): every rank holds one model copy (CPU, or its own GPU), takes
its share of the work, and the outputs come back together in the original order.

Evaluation shards *batches*, not examples: every rank builds the same length-sorted batches a
one-process run builds and forwards every world-th one. Each batch is then the very tensor the
one-process run forwards, so outputs (and the scores made from them) equal a one-process run
instead of differing by padding noise.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Shard:
    """This process's place among `world` ranks."""
    rank: int
    world: int
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def device(self) -> torch.device:
        return torch.device("cuda", self.local_rank) if torch.cuda.is_available() else torch.device("cpu")

    def mine(self, items: list) -> list:
        """This rank's share: every world-th item, starting at its rank (all ranks together: all items)."""
        return items[self.rank::self.world]

    def gather(self, outputs: dict) -> dict:
        """{index: output} of every rank merged, on every rank (tensors moved to the CPU first)."""
        import torch.distributed as dist

        parts = [None] * self.world
        dist.all_gather_object(parts, {i: _to_cpu(v) for i, v in outputs.items()})
        merged = {}
        for part in parts:
            merged.update(part)
        return merged

    def broadcast(self, value):
        """Rank 0's `value` on every rank: one decision (reuse a score, skip a task) for all of them."""
        import torch.distributed as dist

        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self) -> None:
        import torch.distributed as dist

        dist.barrier()


def env_world() -> int:
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def join() -> Shard | None:
    """This process's Shard under torchrun / accelerate launch (the process group joined: NCCL with
    one GPU per rank, gloo on CPU), or None in a plain one-process run."""
    world = env_world()
    if world <= 1:
        return None
    import torch.distributed as dist

    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        if torch.cuda.is_available():
            torch.cuda.set_device(local)  # NCCL's object collectives use the current device
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return Shard(rank, world, local)


def leave(shard: Shard | None, clean: bool = True) -> None:
    """Leave the process group. After an error no barrier: the other ranks may never reach it, and
    torchrun stops them once this rank exits."""
    import torch.distributed as dist

    if shard is not None and dist.is_initialized():
        if clean:
            dist.barrier()  # no rank exits while another still reads from it
        dist.destroy_process_group()


@contextlib.contextmanager
def session():
    """`with session() as shard:` join (None in a one-process run), and leave at the end."""
    shard = join()
    try:
        yield shard
    except BaseException:
        leave(shard, clean=False)
        raise
    leave(shard)


def place(predictor, shard: Shard | None):
    """Give the predictor this rank's share of the work (and its own GPU where there is one)."""
    if shard is None:
        return predictor
    if predictor.backend == "torch" and shard.device.type == "cuda" and predictor.device != shard.device:
        predictor.model.to(shard.device)
        predictor.device = shard.device
    predictor.shard = shard
    return predictor


def _to_cpu(value):
    if isinstance(value, torch.Tensor):
        return value.cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value
