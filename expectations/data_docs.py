"""Data Docs that open offline and say what they checked: the GX site's configuration, and its pages made local.

Great Expectations' page templates load Bootstrap, jQuery, Popper, bootstrap-table, a date picker, Font Awesome
and Vega from public CDNs (unpkg, jsDelivr, cdnjs, bootstrapcdn, code.jquery.com) and its logo from S3; those hosts
are often blocked on mainland networks and absent in air-gapped installs, which left the pages unstyled and
without their check/cross icons. The same files, byte for byte (fetched from the npm registry by
`tools/vendor_data_docs_assets.py`), ship in `expectations/data_docs_assets/`; `make_offline` copies them into
the site and points every page at them. GX's own templates cannot be overridden (its template loader tries the
package before a custom views folder), so the rendered HTML is rewritten after each build.

A pandas dataframe batch carries no data asset name in its batch spec, so GX's validation page said "Data asset:
None"; `AssetNamedValidationResultsPageRenderer` takes the name from the batch definition the result records.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from great_expectations.render.renderer import ValidationResultsPageRenderer

log = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parent / "data_docs_assets"
SITE_NAME = "local_site"
VENDOR_DIR = Path("static") / "vendor"  # inside the site


@dataclass(frozen=True)
class Asset:
    package: str  # npm package@version
    path: str  # the file inside that package
    local: str  # where it lives under data_docs_assets/ (and static/vendor/ in the site)


_FA = "@fortawesome/fontawesome-free@6.6.0"
_TABLE = "bootstrap-table@1.19.1"
_TABLE_0 = "bootstrap-table@1.19.0"
_PICKER = "bootstrap-datepicker@1.9.0"

# Every CDN URL in the GX 1.x page templates -> the same file from the npm registry.
VENDORED: dict[str, Asset] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        Asset("bootstrap@4.3.1", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        Asset("bootstrap@4.3.1", "dist/js/bootstrap.min.js", "bootstrap/bootstrap.min.js"),
    "https://code.jquery.com/jquery-3.7.1.min.js": Asset("jquery@3.7.1", "dist/jquery.min.js", "jquery/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        Asset("popper.js@1.12.9", "dist/umd/popper.min.js", "popper/popper.min.js"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        Asset(_TABLE, "dist/bootstrap-table.min.css", "bootstrap-table/bootstrap-table.min.css"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        Asset(_TABLE, "dist/bootstrap-table.min.js", "bootstrap-table/bootstrap-table.min.js"),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        Asset(_TABLE, "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
              "bootstrap-table/bootstrap-table-filter-control.min.js"),
    # The templates name 1.19.0 for the filter control's stylesheet (the page one, the index the minified one).
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        Asset(_TABLE_0, "dist/extensions/filter-control/bootstrap-table-filter-control.css",
              "bootstrap-table/bootstrap-table-filter-control.css"),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        Asset(_TABLE_0, "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
              "bootstrap-table/bootstrap-table-filter-control.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        Asset(_PICKER, "dist/css/bootstrap-datepicker.min.css", "bootstrap-datepicker/bootstrap-datepicker.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        Asset(_PICKER, "dist/js/bootstrap-datepicker.min.js", "bootstrap-datepicker/bootstrap-datepicker.min.js"),
    # The minified build of the stylesheet the template names (883 kB -> its .min.css).
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        Asset("@forevolve/bootstrap-dark@1.1.0", "dist/css/bootstrap-prefers-dark.min.css",
              "bootstrap-dark/bootstrap-prefers-dark.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        Asset(_FA, "css/all.min.css", "fontawesome/css/all.min.css"),
    # `vega@5` etc. are whatever 5.x the CDN resolves to; these are the versions npm resolved when vendored.
    "https://cdn.jsdelivr.net/npm/vega@5": Asset("vega@5.33.1", "build/vega.min.js", "vega/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": Asset("vega-lite@5.23.0", "build/vega-lite.min.js",
                                                      "vega/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": Asset("vega-embed@6.29.0", "build/vega-embed.min.js",
                                                       "vega/vega-embed.min.js"),
}
# Font Awesome's stylesheet loads these relative to itself (../webfonts/); woff2 is the format every current
# browser takes first, so the .ttf fallbacks are left out (706 kB).
FONTS = [Asset(_FA, f"webfonts/{name}.woff2", f"fontawesome/webfonts/{name}.woff2")
         for name in ("fa-brands-400", "fa-regular-400", "fa-solid-900", "fa-v4compatibility")]
for _font in FONTS:
    VENDORED[f"(font) {_font.local}"] = _font

# GX's logo from its S3 bucket (with a tracking query naming the data context) -> the copy GX ships in the site.
_GX_IMAGES = re.compile(r"https://great-expectations-web-assets\.s3\.[\w.-]+\.amazonaws\.com/([\w.-]+)(?:\?[^\"')\s]*)?")
# A resource a page would fetch: src/href of script, link and img tags, and CSS url(...).
_RESOURCE = re.compile(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*[\"'](https?://[^\"']+)"
                       r"|url\(\s*[\"']?(https?://[^\"')]+)", re.I)
_SRI = re.compile(r"\s+(?:integrity|crossorigin)=\"[^\"]*\"")
# A page's relative link into the site's static/ folder (GX's favicon link on validation pages is one level short).
_STATIC_LINK = re.compile(r"(?P<attr>\b(?:href|src)=\")(?P<up>(?:\.\./|\./)*)static/(?P<rest>[^\"?#]+)\"")


def site_config() -> dict[str, Any]:
    """The `local_site` Data Docs site: GX's default, without the how-to buttons linking to GX's online docs, and
    with validation pages that name their data asset."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": f"uncommitted/data_docs/{SITE_NAME}/"},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "site_section_builders": {
            "validations": {"renderer": {"module_name": __name__,
                                         "class_name": AssetNamedValidationResultsPageRenderer.__name__}},
        },
    }


def configure_site(context: Any) -> None:
    """Install `site_config` as the context's `local_site` (added, or updated in an existing GX folder)."""
    if SITE_NAME in (context.list_data_docs_sites() or {}):
        context.update_data_docs_site(SITE_NAME, site_config())
    else:
        context.add_data_docs_site(SITE_NAME, site_config())


class AssetNamedValidationResultsPageRenderer(ValidationResultsPageRenderer):
    """GX's validation page, with the data asset named: a dataframe batch's spec has no `data_asset_name`, but
    the batch definition recorded in the result's meta has it."""

    def render(self, validation_results: Any, *args: Any, **kwargs: Any) -> Any:
        name = validation_results.asset_name
        spec = validation_results.meta.get("batch_spec") or {}
        if name and isinstance(spec, dict) and not spec.get("data_asset_name"):
            datasource = (validation_results.meta.get("active_batch_definition") or {}).get("datasource_name")
            validation_results.meta["batch_spec"] = {**spec, "data_asset_name": name,
                                                     **({"datasource_name": datasource} if datasource else {})}
        return super().render(validation_results, *args, **kwargs)


def external_resources(html: str) -> list[str]:
    """The http(s) URLs a page would load (scripts, stylesheets, images, CSS url()); links people click are not."""
    return [m.group(1) or m.group(2) for m in _RESOURCE.finditer(html)]


def make_offline(site_dir: Path) -> int:
    """Copy the vendored assets into the site (static/vendor/) and point every page at them, relative to the
    page, so the site works from file:// with no network. Returns the number of pages rewritten."""
    vendor = site_dir / VENDOR_DIR
    shutil.copytree(ASSETS_DIR, vendor, dirs_exist_ok=True)
    images = site_dir / "static" / "images"
    rewritten = 0
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        up = os.path.relpath(site_dir, page.parent).replace(os.sep, "/")

        def local(asset: Asset, up: str = up) -> str:
            return f"{up}/{VENDOR_DIR.as_posix()}/{asset.local}"

        def gx_image(match: re.Match[str], up: str = up) -> str:
            name = match.group(1) if (images / match.group(1)).exists() else "logo-long.png"
            return f"{up}/static/images/{name}"

        new = html
        for url, asset in VENDORED.items():
            if url.startswith("http"):
                new = new.replace(f'"{url}"', f'"{local(asset)}"')
        new = _GX_IMAGES.sub(gx_image, new)

        def static_link(match: re.Match[str], page: Path = page, up: str = up) -> str:
            if (page.parent / f"{match['up']}static" / match["rest"]).exists():
                return match.group(0)
            return f"{match['attr']}{up}/static/{match['rest']}\""

        new = _STATIC_LINK.sub(static_link, new)
        # Subresource-integrity and CORS attributes: a file:// page has an opaque origin, so Chrome refuses a
        # crossorigin script from disk; the files are the ones those hashes name.
        new = re.sub(r"<script\b[^>]*>", lambda m: _SRI.sub("", m.group(0)), new)
        if new != html:
            page.write_text(new, encoding="utf-8")
            rewritten += 1
        if left := external_resources(new):
            log.warning("Data Docs page %s still loads %s from the internet: a GX upgrade named new assets; run "
                        "`python -m tools.vendor_data_docs_assets` after adding them to expectations.data_docs",
                        page, ", ".join(sorted(set(left))))
    return rewritten
