"""The monitoring page in a real headless Chromium, on a laptop and a 390 px phone: every chart
laid out, nothing wider than the screen, no script errors, nothing fetched but the page."""

import pytest

from skyclass.monitor import MonitorConfig, monitor, render_html
from skyclass.report import Palette
from tests.chromium import Browser, requires_chromium
from tests.monitor.test_alerts_and_run import NOW, _log, _model

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("monitor-page")
    result = monitor(
        _model(), [str(_log(root, shift=1.5))], config=MonitorConfig(window="100000d"), now=NOW
    )
    path = root / "monitor.html"
    path.write_text(render_html(result), encoding="utf-8")
    return path, result


SIZES = "Array.from(document.querySelectorAll('figure.plot svg')).map(s => s.getBoundingClientRect().width)"


@pytest.mark.parametrize(("width", "mobile"), [(1280, False), (390, True)])
def test_monitor_page_renders_on_laptop_and_phone(page, tmp_path, width, mobile):
    path, result = page
    with Browser() as browser:
        browser.open(path.as_uri(), width=width, height=844, mobile=mobile)
        sizes = browser.evaluate(SIZES)
        assert len(sizes) >= 6 and min(sizes) > 150
        assert max(sizes) <= width
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
        # the predicted-class chart draws each class in its palette colour (current = solid)
        fills = browser.evaluate(
            "Array.from(document.querySelectorAll('[data-plot=prediction-drift] rect.bar'))"
            ".filter(r => !r.hasAttribute('fill-opacity')).map(r => r.getAttribute('fill'))"
        )
        palette = Palette(result.labels)
        assert set(fills) <= {palette[label] for label in result.labels} and fills
        # the verdict against the class prior is drawn first, above the summary cards
        headline = browser.evaluate(
            "(() => { const h = document.getElementById('baseline-headline'),"
            " c = document.querySelector('.cards'), r = h.getBoundingClientRect();"
            " return [h.innerText, r.width, r.bottom <= c.getBoundingClientRect().top,"
            " getComputedStyle(h).borderTopColor]; })()"
        )
        assert headline[0] == result.baseline["headline"]
        assert headline[0].startswith("NOT significantly better than predicting the class prior")
        assert 150 < headline[1] <= width and headline[2]
        assert headline[3] == "rgb(176, 0, 32)"  # the warning border (#b00020)
        assert browser.errors == []
        fetched = {u.split("#")[0] for u in browser.requests if not u.startswith("data:")}
        assert fetched == {path.as_uri()}
        shot = browser.screenshot(tmp_path / "monitor.png")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
