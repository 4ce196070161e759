/* Give the theme's search dialog an accessible name (the theme leaves role="dialog" unnamed). */
(function () {
  function name() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) { search.setAttribute("aria-label", "Search the site"); }
  }
  if (typeof document$ !== "undefined") { document$.subscribe(name); } else { document.addEventListener("DOMContentLoaded", name); }
})();
