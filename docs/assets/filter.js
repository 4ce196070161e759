/* Filter conflict cards by severity, status and topic, in the browser: no server needed. */
(function () {
  function apply(form) {
    var cards = document.querySelectorAll(form.getAttribute("data-filter-target"));
    var wanted = {};
    form.querySelectorAll("select").forEach(function (select) { wanted[select.name] = select.value; });
    var shown = 0;
    cards.forEach(function (card) {
      var match = Object.keys(wanted).every(function (key) {
        return !wanted[key] || card.getAttribute("data-" + key) === wanted[key];
      });
      card.hidden = !match;
      if (match) { shown += 1; }
    });
    var count = form.querySelector(".filter-count");
    if (count) { count.textContent = shown + " of " + cards.length + " shown"; }
  }
  function setup() {
    document.querySelectorAll("form.filter").forEach(function (form) {
      form.addEventListener("change", function () { apply(form); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      apply(form);
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
