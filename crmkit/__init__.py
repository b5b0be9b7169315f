"""crmkit: logistics customer relationship management for teaching and research.

>>> import crmkit
>>> issubclass(crmkit.DataError, ValueError)
True
"""

from crmkit.errors import DataError

__version__ = "0.1.0"

__all__ = ["DataError", "__version__"]
