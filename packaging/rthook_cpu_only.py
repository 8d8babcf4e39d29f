"""PyInstaller runtime hook: the frozen app is CPU-only, so hide GPUs from torch before it is imported.

The spec leaves out the lazily loaded CUDA parts (cuDNN engines, cuSOLVER) to save about a
gigabyte; with a GPU visible, torch would pick CUDA and fail at the first convolution.
Hiding the GPUs makes `choose_device("auto")` fall back to the CPU as on a machine without one.
"""

import os

os.environ["CUDA_VISIBLE_DEVICES"] = ""
