"""The project's own warning category, so tests can turn exactly our warnings into errors."""


class IchviewerWarning(UserWarning):
    """A problem the user should hear about that does not stop the work (e.g. a bad settings file)."""
