"""crmkit: logistics customer relationship management for teaching and research.

>>> import crmkit
>>> issubclass(crmkit.DataError, ValueError)
True
>>> crmkit.list_datasets()["name"].tolist()
['customers', 'shipments', 'complaints', 'surveys']
"""

from crmkit.datasets import list_datasets, load_dataset
from crmkit.errors import DataError
from crmkit.tables import read_tables, validate

__version__ = "0.1.0"

__all__ = ["DataError", "load_dataset", "list_datasets", "read_tables", "validate", "__version__"]
