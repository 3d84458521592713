"""ppt: compliance checks for NH DCYF Permanency Planning Team procedures."""

__version__ = "0.1.0"
