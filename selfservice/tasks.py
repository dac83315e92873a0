"""q2 tasks of 一码解纷."""


def poster_batch_build(batch_id: int) -> int:
    """整区打印: build one batch's PDF (``selfservice.services.poster_batch_build``)."""
    from .services import poster_batch_build as build

    return build(batch_id)
