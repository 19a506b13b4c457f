// Knowledge-base search facets: on a narrow screen the facet panel starts
// folded (a <details>; without this script it is open, which works too),
// unless a filter is selected.
(function () {
  "use strict";
  var d = document.getElementById("kb-facets-d");
  if (!d || !window.matchMedia) return;
  if (window.matchMedia("(max-width: 48rem)").matches && !document.querySelector(".kb-chips")) {
    d.open = false;
  }
})();
