// Marks the page once every figure has been laid out with a non-zero size, so a
// headless browser (and a reader's devtools) can tell that all plots rendered.
(function () {
  function check() {
    var figures = document.querySelectorAll("figure svg, figure img");
    var bad = [];
    figures.forEach(function (el, i) {
      var box = el.getBoundingClientRect();
      var ok = box.width > 0 && box.height > 0;
      if (el.tagName.toLowerCase() === "img") { ok = ok && el.complete && el.naturalWidth > 0; }
      if (!ok) { bad.push(el.getAttribute("aria-label") || String(i)); }
    });
    document.body.setAttribute("data-figures", figures.length);
    document.body.setAttribute("data-figures-rendered", figures.length - bad.length);
    document.body.setAttribute("data-report-ready", bad.length === 0 ? "ok" : "missing: " + bad.join(", "));
  }
  if (document.readyState === "complete") { check(); } else { window.addEventListener("load", check); }
})();
