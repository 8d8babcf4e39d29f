"""ichviewer: a head CT viewer with an AI overlay for intracranial hemorrhage (research use only)."""

__version__ = "0.1.0"
