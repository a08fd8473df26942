// The search filters apply as soon as one changes (without JavaScript: the Search button).
"use strict";
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target.tagName === "SELECT") form.requestSubmit();
  });
})();
