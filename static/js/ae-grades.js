// The adverse event form: when the coordinator picks a CTCAE term, the grade choices are
// redrawn with that term's own definitions (only the grades it defines). Without this script
// the "Show this term's grades" button does the same through the server.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=ae-form]");
  if (!form) { return; }
  var term = form.querySelector("select[name=term]");
  var live = document.getElementById("grade-live");
  if (!term || !live) { return; }
  term.addEventListener("change", function () {
    if (!term.value) { return; }
    var url = form.dataset.gradesUrl + "?term=" + encodeURIComponent(term.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var checked = live.querySelector("input[name=grade]:checked");
        var current = checked ? checked.value : "";
        var container = live.querySelector("input[name=grade]");
        container = container ? container.closest("div[id]") || live : live;
        var inputs = live.querySelectorAll(".form-check");
        var parent = inputs.length ? inputs[0].parentNode : null;
        if (!parent) { return; }
        inputs.forEach(function (node) { node.remove(); });
        data.grades.forEach(function (g, index) {
          var wrapper = document.createElement("div");
          wrapper.className = "form-check";
          var input = document.createElement("input");
          input.type = "radio";
          input.name = "grade";
          input.value = String(g.grade);
          input.className = "form-check-input";
          input.id = "id_grade_" + index;
          input.checked = String(g.grade) === current;
          var label = document.createElement("label");
          label.className = "form-check-label";
          label.htmlFor = input.id;
          label.textContent = g.grade + ": " + g.definition;
          wrapper.appendChild(input);
          wrapper.appendChild(label);
          parent.appendChild(wrapper);
        });
      });
  });
})();
