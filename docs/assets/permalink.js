/* Permalinks: open and highlight the conflict, claim or passage an address points at, and copy links. */
(function () {
  function reveal() {
    document.querySelectorAll(".is-target").forEach(function (old) { old.classList.remove("is-target"); });
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    /* a source passage: its anchor is empty, and every piece of its text is a mark naming the claim */
    var marks = target.tagName === "SPAN" && !target.textContent ? document.querySelectorAll("mark[data-claims]") : [];
    var pieces = Array.prototype.filter.call(marks, function (mark) {
      return mark.getAttribute("data-claims").split(" ").indexOf(id) !== -1;
    });
    (pieces.length ? pieces : [target]).forEach(function (element) { element.classList.add("is-target"); });
    target.scrollIntoView({ block: "start" });
  }
  function copy(button) {
    var url = window.location.href.split("#")[0] + "#" + button.getAttribute("data-anchor");
    function done() { button.setAttribute("data-copied", ""); button.textContent = "Copied"; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { fallback(url, done); });
    } else { fallback(url, done); }
  }
  function fallback(url, done) {
    var field = document.createElement("textarea");
    field.value = url;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    try { document.execCommand("copy"); done(); } catch (error) { window.prompt("Copy this link:", url); }
    document.body.removeChild(field);
  }
  function setup() {
    document.querySelectorAll(".copy-link").forEach(function (button) {
      if (!button.hasAttribute("data-ready")) {
        button.setAttribute("data-ready", "");
        button.addEventListener("click", function () { copy(button); });
      }
    });
    reveal();
  }
  window.addEventListener("hashchange", reveal);
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
/* Printing opens every folded card, so a printed page holds the quotes too. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (details) { details.open = true; });
});
