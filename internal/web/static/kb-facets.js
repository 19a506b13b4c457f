// Knowledge-base search facets: on a narrow screen the facet panel (a
// <details>) starts folded, so that the results come first; the selected
// filters show above it as removable chips. Without this script the panel
// is open, which works too.
(function () {
  "use strict";
  var d = document.getElementById("kb-facets-d");
  if (!d || !window.matchMedia) return;
  if (window.matchMedia("(max-width: 48rem)").matches) {
    d.open = false;
  }
})();
