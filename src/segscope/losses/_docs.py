"""Parameter descriptions shared by the loss docstrings (one wording everywhere)."""

COMMON_PARAMETERS = """
    pred : Tensor
        Floating scores ``(N, C, *spatial)``; for ``task="binary"`` also ``(N, *spatial)``.
    target : Tensor
        ``"multiclass"``: class indices ``(N, *spatial)`` or soft labels of ``pred``'s
        shape; ``"binary"``/``"multilabel"``: 0/1 masks or soft labels in ``[0, 1]`` of
        ``pred``'s shape.
    task : {"binary", "multiclass", "multilabel"}
        ``"multiclass"``: one class per pixel (softmax); ``"binary"``/``"multilabel"``:
        independent channels (sigmoid).
    from_logits : bool
        Required. ``True``: ``pred`` holds raw outputs and the activation is applied
        here; ``False``: ``pred`` already holds probabilities (checked to be in
        ``[0, 1]``).
    aggregate : {"dataset", "image"}
        ``"dataset"`` pools the counts over the whole batch before the ratio (stable,
        matches dataset-level metrics, but an image's false positives are diluted by the
        other images); ``"image"`` scores each image, then averages (penalises false
        positives on empty images, noisier with small structures).
    ignore_index : int, optional
        Pixels whose target equals this value do not count.
    class_weights : sequence of float, optional
        Weight of each class in the mean over classes (0 drops a class).
    validate : bool, default True
        Check label and probability ranges (costs one device synchronisation).
"""


def fill(function):
    """Replace ``{common}`` in ``function``'s docstring by :data:`COMMON_PARAMETERS`."""
    if function.__doc__:
        text = COMMON_PARAMETERS.lstrip("\n")
        function.__doc__ = function.__doc__.replace("    {common}\n", text)
    return function
