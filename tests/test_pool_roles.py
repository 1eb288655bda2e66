"""The extraction pool's modules by process role: no import circle between them, and a worker
process's first import (``crawler.pool.worker``, from ``python -c``) loads no part of the
library or of Scrapy until the worker starts serving."""

import ast
import subprocess
import sys
from pathlib import Path

POOL = Path(__file__).resolve().parent.parent / "crawler" / "pool"


def module_level_imports(path: Path) -> set[str]:
    """The modules ``path`` imports when it is imported (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_roles_import_one_way() -> None:
    job = module_level_imports(POOL / "job.py")
    worker = module_level_imports(POOL / "worker.py")
    pool = module_level_imports(POOL / "pool.py")
    assert not {name for name in job if name.startswith("crawler")}
    assert not {name for name in worker if name.startswith(("crawler", "archive"))}
    assert {"crawler.pool.job", "crawler.pool.worker"} <= pool
    assert not module_level_imports(POOL / "__init__.py") & {
        "crawler.pool.job",
        "crawler.pool.worker",
        "crawler.pool.pool",
    }


def test_a_worker_process_starts_without_the_library() -> None:
    code = (
        "import sys; import crawler.pool.worker;"
        " print(sorted(m for m in sys.modules if m.split('.')[0] in ('archive', 'scrapy')))"
    )
    root = str(POOL.parent.parent)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "[]"
