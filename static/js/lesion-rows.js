// Baseline lesions: add and remove rows in the page. The page works without this script:
// "Add a lesion row" then submits, and the server answers with the same page one row longer.
(function () {
  "use strict";
  var table = document.querySelector('table[data-formset="lesions"]');
  var template = document.getElementById("lesions-empty-row");
  var addButton = document.querySelector("button[data-add-row]");
  var total = document.getElementById("id_lesions-TOTAL_FORMS");
  if (!table || !template || !addButton || !total) {
    return;
  }
  var body = table.tBodies[0];

  // "Lesion __number__ organ site" (the empty row) or "Lesion 4 organ site" (a row shown).
  function numbered(text, number) {
    return text.indexOf("__number__") >= 0
      ? text.replace("__number__", number)
      : text.replace(/\d+/, number);
  }

  function renumber(row, index) {
    row.setAttribute("data-testid", "lesion-row-" + index);
    row.querySelectorAll("[name], [id]").forEach(function (el) {
      ["name", "id"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) {
          el.setAttribute(attr, value.replace(/lesions-(\d+|__prefix__)-/, "lesions-" + index + "-"));
        }
      });
    });
    row.querySelectorAll("[aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", numbered(el.getAttribute("aria-label"), index + 1));
    });
    row.querySelector(".lesion-number").textContent = String(index + 1);
    var remove = row.querySelector("button[data-remove-row]");
    if (remove) {
      remove.textContent = numbered(remove.textContent, index + 1);
      remove.hidden = false;
    }
  }

  function rows() {
    return Array.prototype.slice.call(body.querySelectorAll("tr.lesion-row"));
  }

  // With the script, Enter in a box saves the form (the first submit button would otherwise
  // be this one); only a click adds a row.
  addButton.type = "button";
  body.querySelectorAll("button[data-remove-row]").forEach(function (button) {
    button.hidden = false;
  });

  addButton.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var fragment = template.content.cloneNode(true);
    var row = fragment.querySelector("tr.lesion-row");
    renumber(row, index);
    body.appendChild(fragment);
    total.value = String(index + 1);
    row.querySelector("select").focus();
  });

  body.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-remove-row]");
    if (!button) {
      return;
    }
    var row = button.closest("tr");
    var errors = row.nextElementSibling;
    if (errors && !errors.classList.contains("lesion-row")) {
      errors.remove();
    }
    row.remove();
    // Only rows not yet saved can go, and they come last: those after the removed one move
    // up, so that the formset's indexes stay 0 .. n-1.
    rows().forEach(function (r, i) {
      if (r.hasAttribute("data-new-row")) {
        renumber(r, i);
      }
    });
    total.value = String(rows().length);
    addButton.focus();
  });
})();
