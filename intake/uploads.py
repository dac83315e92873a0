"""The attachment checks, moved to ``core.uploads`` (cases' 联办任务 replies use them too, and
cases may not import intake); re-exported here for intake's and its neighbours' callers."""

from core.uploads import (  # noqa: F401
    MAX_BYTES,
    MAX_FILES,
    MAX_PIXELS,
    CheckedUpload,
    UploadError,
    check_uploads,
    sniff,
)
