"""Fetch the browser assets Great Expectations' Data Docs load from CDNs into expectations/data_docs_assets/.

Development tool (needs `npm`, which reaches the npm registry): `python -m tools.vendor_data_docs_assets`.
Each CDN URL the GX templates name (great_expectations/render/view/templates) is the file of one npm
package version; `npm pack` fetches that version and the file is copied byte for byte (popper's and
bootstrap's match the SRI hashes the templates carry). expectations.data_docs rewrites the rendered pages
to these copies, so the Data Docs open offline. Run it again when a GX upgrade names other versions
(`tests/validation/test_data_docs_offline.py` fails on any CDN URL left in a page).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from expectations.data_docs import ASSETS_DIR, VENDORED


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        packages = sorted({asset.package for asset in VENDORED.values()})
        subprocess.run(["npm", "pack", "--silent", *packages], cwd=work, check=True, stdout=subprocess.DEVNULL)
        unpacked: dict[str, Path] = {}
        for package in packages:
            name, version = package.rsplit("@", 1)
            tarball = work / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
            target = work / tarball.stem
            with tarfile.open(tarball) as tar:
                tar.extractall(target, filter="data")
            unpacked[package] = target / "package"
        lines = ["| local file | npm package | file in the package | sha256 |", "|---|---|---|---|"]
        for asset in sorted({a for a in VENDORED.values()}, key=lambda a: a.local):
            source = unpacked[asset.package] / asset.path
            dest = ASSETS_DIR / asset.local
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            digest = hashlib.sha256(dest.read_bytes()).hexdigest()
            lines.append(f"| `{asset.local}` | {asset.package} | `{asset.path}` | `{digest[:16]}…` |")
        for package, root in unpacked.items():
            for licence in ("LICENSE", "LICENSE.txt", "LICENSE.md"):
                if (root / licence).exists():
                    (ASSETS_DIR / "licenses").mkdir(exist_ok=True)
                    name = package.lstrip("@").replace("/", "-")
                    shutil.copyfile(root / licence, ASSETS_DIR / "licenses" / f"{name}.txt")
                    break
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
