"""The devices the AI can run on, as the settings, the command line and the classifier name them."""

DEVICES = ("auto", "cuda", "mps", "cpu")  # auto: CUDA, then Apple MPS, then CPU
