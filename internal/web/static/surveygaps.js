// Campaign editing (templates/campaign_edit.html): unticking an area that
// has responses says, before saving, that its responses stay stored.
// Survey builder translations (templates/survey_builder.html): the
// translation fields follow the languages typed in "Languages".
(function () {
  "use strict";
  var form = document.getElementById("campaign-edit");
  if (form) {
    var warn = document.getElementById("removal-warning");
    var update = function () {
      var n = 0, areas = [];
      Array.prototype.forEach.call(form.querySelectorAll("input[name=keep]"), function (cb) {
        cb.closest("tr").classList.toggle("off", !cb.checked);
        if (!cb.checked && cb.getAttribute("data-responses")) {
          n += Number(cb.getAttribute("data-responses"));
          areas.push(cb.value);
        }
      });
      warn.hidden = n === 0;
      warn.textContent = warn.getAttribute("data-msg").replace("{areas}", areas.join(", ")).replace("{n}", String(n));
    };
    form.addEventListener("change", update);
    update();
  }
  var langs = document.getElementById("b-langs");
  if (langs) {
    var show = function () {
      var want = langs.value.split(/[\s,]+/).filter(Boolean);
      Array.prototype.forEach.call(document.querySelectorAll("[data-tr-lang]"), function (el) {
        el.hidden = want.indexOf(el.getAttribute("data-tr-lang")) < 0;
      });
    };
    langs.addEventListener("input", show);
    show();
  }
})();
