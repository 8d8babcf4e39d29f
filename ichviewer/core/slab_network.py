"""The slab-and-sequence network: a 2.5D slab encoder and a bidirectional GRU over the study.

The RSNA 2019 winners' recipe, sized for a CPU:
- the trunk (EfficientNet-Lite0 stages 0–6) turns each slab's three windows into a 192×8×8 map;
- a slab's map is fused with its neighbours' (the slab below and above, zero-initialised 1×1
  convolution added to the slab's own map), then stages 7–8 and pooling give a 1280-vector and
  the slab's own logits (`slab_head`, what Grad-CAM explains);
- a bidirectional GRU over the study's slab vectors (and slab logits) adds a correction to every
  slab's logits that knows the whole stack; the study's logit per label is the maximum over its
  slabs, so a study is suspected exactly when one of its slices is flagged.
Imported only where torch is wanted (core.model.build_network).
"""

from __future__ import annotations

import torch
from torch import nn

TRUNK_STAGES = 7  # features[0..6]
TRUNK_CHANNELS = 192
EMBEDDING = 1280


class SlabSequenceNet(nn.Module):
    """forward(x): slab logits of (N, 3·W, S, S) inputs (slab below, slab, slab above; W windows each)."""

    def __init__(self, lite0: nn.Module, n_labels: int, windows: int = 3, hidden: int = 128) -> None:
        super().__init__()
        self.windows = windows
        features = list(lite0.get_submodule("features").children())
        self.trunk = nn.Sequential(*features[:TRUNK_STAGES])
        self.fusion = nn.Conv2d(2 * TRUNK_CHANNELS, TRUNK_CHANNELS, kernel_size=1)
        nn.init.zeros_(self.fusion.weight)
        nn.init.zeros_(self.fusion.bias)  # type: ignore[arg-type]
        self.top = nn.Sequential(*features[TRUNK_STAGES:])
        self.dropout = nn.Dropout(0.3)
        self.slab_head = nn.Linear(EMBEDDING, n_labels)
        self.reduce = nn.Sequential(nn.Linear(EMBEDDING, hidden), nn.ReLU(inplace=True), nn.Dropout(0.3))
        self.gru = nn.GRU(hidden + n_labels, hidden // 2, batch_first=True, bidirectional=True)
        self.seq_head = nn.Linear(hidden, n_labels)
        nn.init.zeros_(self.seq_head.weight)
        nn.init.zeros_(self.seq_head.bias)
        # per-label shift of the final logits that puts the chosen operating point at 0.5 (set at export)
        self.offset = nn.Parameter(torch.zeros(n_labels), requires_grad=False)

    # -- per slab -------------------------------------------------------------------------------
    def trunk_maps(self, x: torch.Tensor) -> torch.Tensor:
        """(N, W, S, S) windowed slabs → (N, 192, S/32, S/32) trunk maps."""
        return self.trunk(x)

    def embed(self, below: torch.Tensor, centre: torch.Tensor, above: torch.Tensor) -> torch.Tensor:
        """Trunk maps of a slab and its neighbours → (N, 1280) slab vectors."""
        fused = centre + self.fusion(torch.cat([below, above], dim=1))
        return torch.flatten(nn.functional.adaptive_avg_pool2d(self.top(fused), 1), 1)

    def slab_logits(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.slab_head(self.dropout(embedding))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, channels, size, _ = x.shape
        maps = self.trunk_maps(x.reshape(n * 3, channels // 3, size, size))
        maps = maps.reshape(n, 3, *maps.shape[1:])
        return self.slab_logits(self.embed(maps[:, 0], maps[:, 1], maps[:, 2]))

    # -- per study ------------------------------------------------------------------------------
    def sequence_logits(self, embeddings: torch.Tensor, slab_logits: torch.Tensor) -> torch.Tensor:
        """(B, L, 1280) slab vectors and (B, L, n) slab logits of studies → (B, L, n) final slab logits."""
        features = torch.cat([self.reduce(embeddings), slab_logits.detach()], dim=-1)
        context, _ = self.gru(features)
        return slab_logits + self.seq_head(context) + self.offset

    def study(self, maps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Trunk maps (L, 192, h, w) of one study's slabs, inferior first → (slab logits, final logits), (L, n)."""
        below, above = neighbours(maps)
        embedding = self.embed(below, maps, above)
        slab = self.slab_logits(embedding)
        final = self.sequence_logits(embedding[None], slab[None])[0]
        return slab, final


def neighbours(maps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The maps of the slab below and above each slab (the end slabs are their own neighbours)."""
    return torch.cat([maps[:1], maps[:-1]]), torch.cat([maps[1:], maps[-1:]])
