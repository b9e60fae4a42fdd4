"""ccops: an open-source contact-center operations platform."""

__version__ = "0.1.0"
