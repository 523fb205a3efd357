"""The one error type the SPC engine raises for bad input."""

from __future__ import annotations


class SPCInputError(ValueError):
    """Bad input to the SPC engine, naming the offending field.

    `field` is a path into the input document such as ``points[3].n`` or
    ``options.rebase_at[0]``; it is None when the document as a whole is wrong (not a JSON
    object, not JSON at all). `index` is set by the batch functions to the position of the
    document in the input list, so a caller can say which one failed.
    """

    def __init__(self, field: str | None, message: str, *, index: int | None = None) -> None:
        self.field = field
        self.message = message
        self.index = index
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = self.field or "document"
        if self.index is not None:
            where = f"document {self.index}: {where}"
        return f"{where}: {self.message}"

    def with_index(self, index: int) -> SPCInputError:
        """Return a copy of this error that says which document of a batch it came from."""
        return SPCInputError(self.field, self.message, index=index)

    def as_dict(self) -> dict[str, object]:
        """The JSON error body used by the command line and the HTTP API."""
        body: dict[str, object] = {"field": self.field, "message": self.message}
        if self.index is not None:
            body = {"index": self.index, **body}
        return body
