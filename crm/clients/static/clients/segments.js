// Client list: ticking rows for a group change; the group change page: the value field of the
// chosen action. Delegated listeners, so rows swapped in by htmx work without re-binding.
(() => {
  const updateSelection = () => {
    const rows = document.querySelectorAll("[data-select-row]");
    const ticked = document.querySelectorAll("[data-select-row]:checked").length;
    document.querySelectorAll("[data-selected-count]").forEach((el) => { el.textContent = ticked; });
    document.querySelectorAll("[data-needs-selection]").forEach((el) => { el.disabled = ticked === 0; });
    const all = document.querySelector("[data-select-page]");
    if (all) {
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
  };

  const showValueField = () => {
    const action = document.querySelector("[data-group-action]");
    if (!action) return;
    document.querySelectorAll("[data-value-field]").forEach((el) => {
      el.hidden = !el.dataset.valueField.split(" ").includes(action.value);
    });
  };

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-page]")) {
      document.querySelectorAll("[data-select-row]").forEach((el) => { el.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select-row], [data-select-page]")) updateSelection();
    if (event.target.matches("[data-group-action]")) showValueField();
  });

  document.addEventListener("submit", (event) => {
    const text = event.target.dataset.confirm;
    if (text && !window.confirm(text)) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", updateSelection);
  document.addEventListener("DOMContentLoaded", () => { updateSelection(); showValueField(); });
})();
