// The line editor of a draft proposal: add and remove rows (a Django formset), look products up
// in the catalog while typing a name (sales:product_search answers JSON) and fill the row —
// price, unit, ОКЕИ code and the VAT rate the product's kind has on the proposal's date. Totals
// are recomputed by the server (htmx, `lines-changed` or any input in the form).
(function () {
  "use strict";

  const form = document.getElementById("proposal-form");
  if (!form) return;
  const body = form.querySelector("[data-lines-body]");
  const template = form.querySelector("template[data-line-template]");
  const total = form.querySelector("input[name$='-TOTAL_FORMS']");
  const searchUrl = form.dataset.productSearch;
  const ratesNode = document.getElementById("proposal-rates");
  const rates = ratesNode ? JSON.parse(ratesNode.textContent) : {};

  function changed() {
    document.body.dispatchEvent(new CustomEvent("lines-changed"));
  }

  function renumber() {
    let n = 0;
    body.querySelectorAll("[data-line-row]").forEach((row) => {
      const deleted = row.querySelector("input[name$='-DELETE']");
      if (deleted && deleted.checked) return;
      n += 1;
      row.querySelector("[data-line-number]").textContent = n;
    });
  }

  function addRow() {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    wire(row);
    renumber();
    row.querySelector("[data-name]").focus();
    return row;
  }

  function hidePicker(row) {
    const picker = row.querySelector("[data-picker]");
    picker.hidden = true;
    picker.innerHTML = "";
  }

  function fill(row, product) {
    row.querySelector("[data-product]").value = product.id;
    row.querySelector("[data-okei]").value = product.okei_code || "";
    row.querySelector("[data-name]").value = product.name;
    row.querySelector("[data-unit]").value = product.unit_name || "";
    row.querySelector("[data-price]").value = String(product.price).replace(".", ",");
    const quantity = row.querySelector("[data-quantity]");
    if (!quantity.value) quantity.value = "1";
    const rate = rates[product.vat_kind];
    if (rate) row.querySelector("[data-vat]").value = rate;
    hidePicker(row);
    changed();
  }

  function search(row, input) {
    const picker = row.querySelector("[data-picker]");
    const query = input.value.trim();
    if (query.length < 2) {
      hidePicker(row);
      return;
    }
    fetch(`${searchUrl}?q=${encodeURIComponent(query)}&limit=10`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : []))
      .then((products) => {
        if (input.value.trim() !== query) return;
        picker.innerHTML = "";
        products.forEach((product) => {
          const item = document.createElement("button");
          item.type = "button";
          item.className = "list-group-item list-group-item-action small";
          const name = document.createElement("div");
          name.className = "fw-semibold";
          name.textContent = product.name;
          const meta = document.createElement("div");
          meta.className = "text-body-secondary";
          meta.textContent = [product.article, `${product.price} ${product.currency} / ${product.unit_name}`]
            .filter(Boolean)
            .join(" · ");
          item.append(name, meta);
          item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            fill(row, product);
          });
          picker.append(item);
        });
        picker.hidden = products.length === 0;
      })
      .catch(() => hidePicker(row));
  }

  function wire(row) {
    const name = row.querySelector("[data-name]");
    let timer = null;
    name.addEventListener("input", () => {
      row.querySelector("[data-product]").value = ""; // typed over: free text until picked
      clearTimeout(timer);
      timer = setTimeout(() => search(row, name), 250);
    });
    name.addEventListener("blur", () => setTimeout(() => hidePicker(row), 150));
    name.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hidePicker(row);
      if (event.key === "Enter") event.preventDefault();
    });
    row.querySelector("[data-line-remove]").addEventListener("click", () => {
      const deleted = row.querySelector("input[name$='-DELETE']");
      deleted.checked = true;
      row.hidden = true;
      renumber();
      changed();
    });
  }

  body.querySelectorAll("[data-line-row]").forEach(wire);
  form.querySelector("[data-line-add]").addEventListener("click", addRow);
  renumber();
  if (!body.querySelector("[data-line-row]")) addRow();
  // The sums of the rows come from the server as well.
  window.addEventListener("load", changed);
})();
