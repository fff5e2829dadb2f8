"""``torch.package``: hermetic model archives with their code, which retrograd does not build.
Importing works; each name raises ``NotImplementedError`` when called or made, the errors are
exception classes, and nothing comes from a package (``is_from_package`` is False)."""

from typing import Any

from .._device import not_built

__all__ = [
    "Directory",
    "EmptyMatchError",
    "GlobGroup",
    "Importer",
    "ObjMismatchError",
    "ObjNotFoundError",
    "OrderedImporter",
    "PackageExporter",
    "PackageImporter",
    "PackagingError",
    "analyze",
    "is_from_package",
]

globals().update(
    not_built(
        "torch.package",
        "Directory GlobGroup Importer OrderedImporter PackageExporter PackageImporter analyze "
        "file_structure_representation find_file_dependencies glob_group importer "
        "package_exporter package_importer sys_importer",
    )
)


class PackagingError(Exception):
    """A dependency that could not be packaged."""


class EmptyMatchError(Exception):
    """A pattern that matched no module."""


class ObjNotFoundError(Exception):
    """An object an importer could not find."""


class ObjMismatchError(Exception):
    """An object that is not the one an importer expected."""


def is_from_package(obj: Any) -> bool:
    """Whether ``obj`` was imported from a package: never, as retrograd makes none."""
    return False
