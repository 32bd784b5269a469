"""make install puts the package where Debian's python3 finds PREFIX's
modules, and the installed package loads the installed library."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import BUILD, ROOT


def test_make_install_installs_an_importable_package(tmp_path):
    dest = tmp_path / "dest"
    subprocess.run(["make", "-s", "-C", ROOT, "install", f"DESTDIR={dest}", "PREFIX=/opt/shmfb",
                    f"BUILD={os.path.relpath(BUILD, ROOT) if BUILD.startswith(ROOT) else BUILD}",
                    f"PYTHON={sys.executable}", f"SAN={os.environ.get('SAN', '')}"], check=True,
                   capture_output=True)
    site = dest / "opt/shmfb/lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "dist-packages"
    pkg = site / "shmfb"
    assert (pkg / "py.typed").exists() and (pkg / "__init__.py").exists()
    assert not (pkg / "libshmfb.so.0").exists()  # the installed library is the one it loads
    assert (pkg / "_paths.py").read_text() == 'LIBRARY = "/opt/shmfb/lib/libshmfb.so.0"\n'
    # The library is not at /opt/shmfb in this test (DESTDIR): load it from
    # where make put it, as SHMFB_LIBRARY allows; everything else is installed.
    env = dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1",
               SHMFB_LIBRARY=str(dest / "opt/shmfb/lib/libshmfb.so.0"))
    p = subprocess.run([sys.executable, "-c", "import shmfb; print(shmfb.__file__, shmfb.FORMATS[0])"],
                       env=env, capture_output=True, text=True, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"{pkg}/__init__.py rgba\n"
    env.pop("SHMFB_LIBRARY")
    p = subprocess.run([sys.executable, "-c", "import shmfb"], env=env, capture_output=True, text=True,
                       cwd=str(tmp_path))
    assert p.returncode != 0 and "/opt/shmfb/lib/libshmfb.so.0 (missing)" in p.stderr
