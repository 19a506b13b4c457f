// The survey builder (templates/survey_builder.html): the up/down buttons
// move a question and renumber every "order" field in page order, so that
// what the coordinator sees is the order that is saved. Without script the
// order fields work on their own.
(function () {
  "use strict";
  var list = document.querySelector(".builder-rows");
  if (!list) { return; }
  function renumber() {
    Array.prototype.forEach.call(list.querySelectorAll(".builder-row"), function (li, i) {
      li.querySelector("input.order").value = String((i + 1) * 10);
    });
  }
  list.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.move");
    if (!b) { return; }
    var li = b.closest(".builder-row");
    if (b.getAttribute("data-dir") === "-1" && li.previousElementSibling) {
      list.insertBefore(li, li.previousElementSibling);
    } else if (b.getAttribute("data-dir") === "1" && li.nextElementSibling) {
      list.insertBefore(li.nextElementSibling, li);
    }
    renumber();
    b.focus();
  });
  list.addEventListener("change", function (ev) {
    if (ev.target.name && /_inc$/.test(ev.target.name)) {
      ev.target.closest(".builder-row").classList.toggle("on", ev.target.checked);
    }
  });
})();
