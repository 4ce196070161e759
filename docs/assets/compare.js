/* Two sources side by side: show the topics both address, each one's coded value and their relation.
   Everything is in the page, so it works from file:// too; the pair is kept in the address. */
(function () {
  var LABELS = {"contradiction": "contradiction", "partial-overlap": "partial overlap", "compatible": "compatible",
                "agreement": "agreement", "none": "not compared"};
  function nameOf(select) { return select.options[select.selectedIndex].text.replace(/ \([^)]*\)$/, ""); }
  function apply(form) {
    var a = form.elements.a.value, b = form.elements.b.value;
    var pair = a < b ? a + "-" + b : b + "-" + a;
    var shown = 0;
    document.querySelectorAll(".compare-row").forEach(function (row) {
      var sources = (row.getAttribute("data-sources") || "").split(" ");
      var both = a !== b && sources.indexOf(a) !== -1 && sources.indexOf(b) !== -1;
      row.hidden = !both;
      if (!both) { return; }
      shown += 1;
      row.querySelector(".compare-a").textContent = row.getAttribute("data-value-" + a);
      row.querySelector(".compare-b").textContent = row.getAttribute("data-value-" + b);
      var relation = row.getAttribute("data-relation-" + pair) || "none";
      var badge = row.querySelector(".compare-relation span");
      badge.className = "state state-" + relation;
      badge.textContent = LABELS[relation];
    });
    document.querySelector(".compare-name-a").textContent = nameOf(form.elements.a);
    document.querySelector(".compare-name-b").textContent = nameOf(form.elements.b);
    document.querySelector(".compare-empty").hidden = shown > 0;
    form.querySelector(".compare-count").textContent = a === b ? "Pick two different sources." : shown + " topics both address";
  }
  function setup() {
    var form = document.querySelector("form.compare");
    if (!form || form.hasAttribute("data-ready")) { return; }
    form.setAttribute("data-ready", "");
    var params = new URLSearchParams(window.location.search);
    ["a", "b"].forEach(function (name) {
      var value = params.get(name), select = form.elements[name];
      if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) { select.value = value; }
    });
    form.addEventListener("change", function () {
      apply(form);
      try {
        window.history.replaceState(null, "", window.location.pathname + "?a=" + encodeURIComponent(form.elements.a.value) +
                                    "&b=" + encodeURIComponent(form.elements.b.value));
      } catch (error) { /* some browsers refuse history changes on file:// pages */ }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply(form);
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
