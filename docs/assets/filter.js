/* Filter findings and cards by source, between/within, relation, severity, review state and topic, in the
   browser (no server needed). The choice is kept in the page's address, so a filtered view can be shared. */
(function () {
  function matches(element, wanted) {
    return Object.keys(wanted).every(function (key) {
      if (!wanted[key]) { return true; }
      var value = element.getAttribute("data-" + key) || "";
      return value.split(" ").indexOf(wanted[key]) !== -1;
    });
  }
  function apply(form) {
    var items = document.querySelectorAll(form.getAttribute("data-filter-target"));
    var wanted = {};
    form.querySelectorAll("select").forEach(function (select) { wanted[select.name] = select.value; });
    var shown = 0;
    items.forEach(function (item) {
      var match = matches(item, wanted);
      item.hidden = !match;
      if (match && item.tagName === "TR") { shown += 1; }
    });
    document.querySelectorAll(".filter-group").forEach(function (group) {
      group.hidden = !group.querySelector("[data-conflict]:not([hidden])");
    });
    var rows = Array.prototype.filter.call(items, function (item) { return item.tagName === "TR"; }).length;
    var count = form.querySelector(".filter-count");
    if (count) { count.textContent = shown + " of " + rows + " findings shown"; }
    return wanted;
  }
  function remember(wanted) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(wanted).forEach(function (key) {
      if (wanted[key]) { params.set(key, wanted[key]); } else { params.delete(key); }
    });
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    } catch (error) { /* some browsers refuse history changes on file:// pages; the filter still works */ }
  }
  function restore(form) {
    var params = new URLSearchParams(window.location.search);
    form.querySelectorAll("select").forEach(function (select) {
      var value = params.get(select.name);
      if (value !== null && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        select.value = value;
      }
    });
  }
  function setup() {
    document.querySelectorAll("form.filter").forEach(function (form) {
      if (form.hasAttribute("data-ready")) { return; }
      form.setAttribute("data-ready", "");
      restore(form);
      form.addEventListener("change", function () { remember(apply(form)); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      apply(form);
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
