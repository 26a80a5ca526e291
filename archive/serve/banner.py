"""The banner on replayed pages: what this is, when it was captured, a way back to the list.

pywb inserts the template `custom_banner.html` into the `<head>` of every page it replays
unframed; it is looked up in `templates/` of pywb's working directory, the collection's state
directory (`app.make_app`). The banner is built by a script once the page is parsed. Its one
link is a button that sets the real `window.location`: pywb's wombat.js rewrites the `href` of
links a page script creates into archive URLs, and a link back to the start page must not be.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATE_NAME = "custom_banner.html"

# Jinja, rendered by pywb: `cdx` is the capture replayed, `host_prefix` this server's origin.
TEMPLATE = """\
<script>
(function () {
  var start = {{ (host_prefix ~ "/") | tojson }};
  var url = {{ cdx.url | tojson }};
  var ts = {{ cdx.timestamp | tojson }};
  var when = ts.slice(0, 4) + "-" + ts.slice(4, 6) + "-" + ts.slice(6, 8) + " " +
             ts.slice(8, 10) + ":" + ts.slice(10, 12) + ":" + ts.slice(12, 14) + " UTC";
  function show() {
    if (window !== window.top || document.getElementById("newsarchive-banner")) { return; }
    var bar = document.createElement("div");
    bar.id = "newsarchive-banner";
    bar.setAttribute("role", "note");
    bar.setAttribute("style", "all: initial; display: block; box-sizing: border-box; " +
      "width: 100%; padding: 6px 12px; background: #fff8d6; color: #222; " +
      "border-bottom: 1px solid #c9b458; font: 13px/1.4 system-ui, sans-serif;");
    var text = document.createElement("span");
    text.textContent = "Archived copy of " + url + ", captured " + when + ". ";
    var back = document.createElement("button");
    back.type = "button";
    back.textContent = "All archived articles";
    back.setAttribute("style", "font: inherit; cursor: pointer;");
    back.addEventListener("click", function () { window.location.href = start; });
    bar.appendChild(text);
    bar.appendChild(back);
    document.body.insertBefore(bar, document.body.firstChild);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
</script>
"""


def install(state_dir: Path) -> Path:
    """Write the banner template where pywb looks for it; returns its path."""
    path = state_dir / "templates" / TEMPLATE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE, "utf-8")
    return path
