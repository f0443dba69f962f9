// Deals: the kanban board (SortableJS: drag a card to another column or to the won/lost zone
// → the stage move; a refused move puts the card back and shows the dialog), the dialog of the
// card's stage bar, and the line editor of the deal form. Delegated listeners, so content
// swapped in by htmx keeps working.
(() => {
  if (window.svodDeals) return;
  window.svodDeals = true;

  const modalElement = () => document.getElementById("deal-modal");
  const modal = () => {
    const element = modalElement();
    return element && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(element) : null;
  };

  // --- The board -------------------------------------------------------------------------
  let lastMove = null; // {item, from, index} of the card being moved, to put it back

  const putBack = () => {
    if (!lastMove) return;
    const { item, from, index } = lastMove;
    const before = from.children[index] || null;
    from.insertBefore(item, before);
    item.classList.remove("is-moving");
    from.querySelectorAll("[data-board-empty]").forEach((el) => { el.hidden = true; });
    lastMove = null;
  };

  const boardFilters = () => {
    const form = document.getElementById("board-filters");
    if (!form) return "";
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => { if (value) params.append(key, value); });
    return params.toString();
  };

  const move = (item, from, index, stage) => {
    const board = document.getElementById("board");
    if (!board || !window.htmx) return;
    lastMove = { item, from, index };
    item.classList.add("is-moving");
    const url = board.dataset.moveUrl.replace("/0/", `/${item.dataset.deal}/`);
    window.htmx.ajax("POST", url, {
      source: board,
      target: "#board-columns",
      swap: "innerHTML",
      values: { stage, view: "board", filters: boardFilters() },
      headers: { "X-CSRFToken": board.dataset.csrf },
    });
  };

  const setUpBoard = (root) => {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-board-list]").forEach((list) => {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "1";
      const isZone = list.hasAttribute("data-dropzone");
      window.Sortable.create(list, {
        group: { name: "deals", pull: !isZone, put: true },
        sort: false,
        draggable: ".deal-card",
        animation: 150,
        ghostClass: "deal-card-ghost",
        chosenClass: "deal-card-chosen",
        dragClass: "deal-card-drag",
        // Pointer events rather than the browser's drag and drop: the same on every browser
        // and touch screen, and the dragged card may leave the scrolling column.
        forceFallback: true,
        fallbackOnBody: true,
        fallbackTolerance: 3,
        onStart: () => document.body.classList.add("deal-dragging"),
        onEnd: (event) => {
          document.body.classList.remove("deal-dragging");
          if (event.to === event.from) return;
          move(event.item, event.from, event.oldIndex, event.to.dataset.stage);
        },
      });
    });
  };

  document.addEventListener("DOMContentLoaded", () => setUpBoard(document));
  document.addEventListener("htmx:afterSettle", (event) => setUpBoard(event.detail.elt || document));

  // The server refused the move: the card goes back, the dialog says why.
  document.addEventListener("deal-move-refused", putBack);

  // The move passed (from the board or from its dialog): the columns were redrawn.
  document.addEventListener("deal-moved", (event) => {
    lastMove = null;
    const instance = modal();
    if (instance && modalElement().classList.contains("show")) instance.hide();
    const message = event.detail && event.detail.message;
    if (!message) return;
    const toast = document.createElement("div");
    toast.className = "svod-toast deal-toast alert alert-success shadow d-flex align-items-center gap-2";
    toast.setAttribute("role", "status");
    toast.dataset.dealToast = "";
    const icon = document.createElement("i");
    icon.className = "bi bi-check2-circle";
    const text = document.createElement("span");
    text.textContent = message;
    toast.append(icon, text);
    document.body.appendChild(toast);
    setTimeout(() => toast.remove(), 5000);
  });

  // A request that failed (network, 500) must not leave the card in the wrong column.
  document.addEventListener("htmx:responseError", putBack);
  document.addEventListener("htmx:sendError", putBack);

  // Whatever lands in the dialog opens it.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "deal-modal-content") return;
    const instance = modal();
    if (instance) instance.show();
  });

  // --- The line editor of the deal form ------------------------------------------------
  const renumber = (editor) => {
    const rows = editor.querySelectorAll("[data-line-row]:not(.d-none)");
    rows.forEach((row, index) => {
      const cell = row.querySelector("[data-line-number]");
      if (cell) cell.textContent = index + 1;
    });
    const empty = editor.querySelector("[data-lines-empty]");
    if (empty) empty.hidden = rows.length > 0;
    updateTotal(editor);
  };

  const number = (text) => {
    const value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return Number.isFinite(value) ? value : 0;
  };

  const updateTotal = (editor) => {
    let total = 0;
    editor.querySelectorAll("[data-line-row]:not(.d-none)").forEach((row) => {
      const quantity = row.querySelector("[data-line-quantity]");
      const price = row.querySelector("[data-line-price]");
      const sum = Math.round(number(quantity && quantity.value || "1") * number(price && price.value) * 100) / 100;
      const cell = row.querySelector("[data-line-sum]");
      if (cell) cell.textContent = sum.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      total += sum;
    });
    const out = editor.querySelector("[data-lines-total]");
    if (out) out.textContent = total.toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-line-add]");
    if (add) {
      const editor = add.closest("[data-lines]");
      const total = editor.querySelector("input[name$='-TOTAL_FORMS']");
      const template = editor.querySelector("template[data-line-template]");
      const html = template.innerHTML.replace(/__prefix__/g, total.value);
      editor.querySelector("[data-lines-body]").insertAdjacentHTML("beforeend", html);
      total.value = Number(total.value) + 1;
      renumber(editor);
      const rows = editor.querySelectorAll("[data-line-row]");
      const name = rows[rows.length - 1].querySelector("[data-line-name]");
      if (name) name.focus();
      return;
    }
    const remove = event.target.closest("[data-line-remove]");
    if (remove) {
      const row = remove.closest("[data-line-row]");
      const editor = row.closest("[data-lines]");
      const flag = row.querySelector("input[name$='-DELETE']");
      if (flag) flag.checked = true;
      row.classList.add("d-none");
      renumber(editor);
      return;
    }
    const pick = event.target.closest("[data-product-option]");
    if (pick) {
      const row = pick.closest("[data-line-row]");
      const product = JSON.parse(pick.dataset.productOption);
      row.querySelector("[data-line-product]").value = product.id;
      row.querySelector("[data-line-name]").value = product.name;
      const unit = row.querySelector("[data-line-unit]");
      if (unit) unit.value = product.unit_name || "";
      const price = row.querySelector("[data-line-price]");
      if (price) price.value = String(product.price || "").replace(".", ",");
      row.querySelector("[data-product-results]").innerHTML = "";
      updateTotal(row.closest("[data-lines]"));
      return;
    }
    document.querySelectorAll("[data-product-results]").forEach((box) => {
      if (!event.target.closest("[data-line-row]")) box.innerHTML = "";
    });
  });

  // Typing a name looks the catalog up (sales:product_search answers JSON); typing over a
  // chosen product makes the line free text again.
  let searchTimer = null;
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input.matches("[data-line-quantity], [data-line-price]")) {
      updateTotal(input.closest("[data-lines]"));
      return;
    }
    if (!input.matches("[data-line-name]")) return;
    const row = input.closest("[data-line-row]");
    row.querySelector("[data-line-product]").value = "";
    const editor = input.closest("[data-lines]");
    const url = editor.dataset.productSearch;
    const box = row.querySelector("[data-product-results]");
    clearTimeout(searchTimer);
    if (!url || input.value.trim().length < 2) {
      box.innerHTML = "";
      return;
    }
    searchTimer = setTimeout(() => {
      fetch(`${url}?q=${encodeURIComponent(input.value.trim())}`, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((data) => {
          const items = Array.isArray(data) ? data : (data.results || []);
          box.innerHTML = "";
          items.slice(0, 10).forEach((product) => {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "list-group-item list-group-item-action py-1";
            button.dataset.productOption = JSON.stringify(product);
            const name = document.createElement("span");
            name.className = "fw-semibold";
            name.textContent = product.name;
            const details = document.createElement("span");
            details.className = "small text-body-secondary ms-2";
            details.textContent = [product.article, product.unit_name, product.price].filter(Boolean).join(" · ");
            button.append(name, details);
            box.appendChild(button);
          });
        })
        .catch(() => { box.innerHTML = ""; });
    }, 250);
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-lines]").forEach(renumber);
  });
})();
