"""The column type for sensitive values: the marker every encrypted column uses.

Values are encrypted and decrypted explicitly by the service that owns the table
(`core.crypto.encrypt` / `decrypt`), so a query never silently returns plaintext and the
code that reads a clinical note says so. The column class exists so that a test can list
every encrypted column and fail on a new sensitive one that is not.
"""

from piccolo.columns import Text


class EncryptedText(Text):
    """Ciphertext of a sensitive value (`enc:v1:...`), never plaintext."""

    @property
    def column_type(self) -> str:
        # Piccolo derives the SQL type from the class name unless told otherwise.
        return "TEXT"
