"""The one exception type for problems a user can fix (bad files, flags or columns)."""


class UserError(Exception):
    """Raised with a message that names the problem and what is expected.

    The CLI prints it as a single `error:` line and exits non-zero, never a traceback.
    """
