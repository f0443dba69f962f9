// Activities: the modal dialogs (Завершить, Перенести, Отменить), the client picker, ticking
// rows for bulk actions, quick dates. Delegated listeners, so content swapped in by htmx works.
(() => {
  if (window.svodActivities) return;
  window.svodActivities = true;

  const pad = (n) => String(n).padStart(2, "0");
  const localValue = (date) =>
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

  // A dialog loaded into the modal opens it.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "activity-modal-content") return;
    const modal = document.getElementById("activity-modal");
    if (modal && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(modal).show();
  });

  // Ticking rows of the work list.
  const updateSelection = () => {
    const rows = document.querySelectorAll("[data-act-select-row]");
    const ticked = document.querySelectorAll("[data-act-select-row]:checked").length;
    document.querySelectorAll("[data-act-selected-count]").forEach((el) => { el.textContent = ticked; });
    document.querySelectorAll("[data-act-needs-selection]").forEach((el) => { el.disabled = ticked === 0; });
    const all = document.querySelector("[data-act-select-page]");
    if (all) {
      all.checked = rows.length > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-act-select-page]")) {
      document.querySelectorAll("[data-act-select-row]").forEach((el) => { el.checked = event.target.checked; });
    }
    if (event.target.matches("[data-act-select-row], [data-act-select-page]")) updateSelection();
    const toggle = event.target.closest("[data-toggles]");
    if (toggle) {
      const block = document.querySelector(toggle.dataset.toggles);
      if (block) block.hidden = !toggle.checked;
    }
  });
  document.addEventListener("htmx:afterSwap", updateSelection);
  document.addEventListener("DOMContentLoaded", updateSelection);

  // "Мои / Мой отдел" changes the whole page (title, the employee filter): a plain navigation.
  document.addEventListener("change", (event) => {
    if (!event.target.matches("#activity-filters input[name='scope']")) return;
    event.stopPropagation();
    const params = new URLSearchParams();
    new FormData(event.target.form).forEach((value, key) => {
      if (value && key !== "client_q" && key !== "employee") params.append(key, value);
    });
    window.location.search = params.toString();
  }, true);

  // A work-list tab remembers itself in the filter form.
  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-work-tab]");
    if (!tab) return;
    const field = document.getElementById("f-tab");
    if (field) field.value = tab.dataset.workTab;
  });

  // Quick dates: "завтра", "через 3 дня" at the time already chosen (10:00 by default).
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-set-days]");
    if (!button) return;
    const input = document.querySelector(button.dataset.target);
    if (!input) return;
    const base = new Date();
    const current = input.value ? new Date(input.value) : null;
    base.setDate(base.getDate() + Number(button.dataset.setDays));
    base.setHours(current ? current.getHours() : 10, current ? current.getMinutes() : 0, 0, 0);
    input.value = localValue(base);
  });

  // The client picker: choosing a client fills the hidden field, reloads the contacts of the
  // form and tells a filter form that it changed.
  const pickClient = (picker, id, name) => {
    const hidden = picker.querySelector("[data-client-id]");
    const text = picker.querySelector("[data-client-name]");
    hidden.value = id;
    text.value = name;
    picker.querySelector(".client-picker-results").innerHTML = "";
    const form = picker.closest("form");
    const contacts = form && form.querySelector("[data-contact-select]");
    if (contacts && window.htmx) {
      const url = `${form.dataset.contactsUrl}?client=${encodeURIComponent(id)}`;
      if (id) window.htmx.ajax("GET", url, { target: contacts, swap: "innerHTML" });
      else contacts.innerHTML = "<option value=''>—</option>";
    }
    const subject = form && form.querySelector("#id_subject");
    if (subject && !subject.value && id) {
      const kind = form.querySelector("input[name='kind']:checked");
      const label = kind && form.querySelector(`label[for='${kind.id}']`);
      subject.value = label ? `${label.textContent.trim()}: ${name}` : name;
    }
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  };
  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-pick-client]");
    if (option) {
      pickClient(option.closest("[data-client-picker]"), option.dataset.pickClient, option.dataset.name);
      return;
    }
    document.querySelectorAll(".client-picker-results").forEach((box) => {
      if (!event.target.closest("[data-client-picker]")) box.innerHTML = "";
    });
  });
  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-client-name]")) return;
    if (event.target.value === "") pickClient(event.target.closest("[data-client-picker]"), "", "");
  });
  // The typed text of the picker is not a filter by itself: keep it out of change events.
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-client-name]")) event.stopPropagation();
  }, true);

  // The form: the end follows the start and the kind's usual duration until edited by hand.
  const form = () => document.querySelector("[data-activity-form]");
  let endTouched = false;
  const followEnd = () => {
    const f = form();
    if (!f || endTouched) return;
    const start = f.querySelector("#id_start_at");
    const end = f.querySelector("#id_end_at");
    const kind = f.querySelector("input[name='kind']:checked");
    if (!start || !end || !start.value || !kind) return;
    const date = new Date(start.value);
    date.setMinutes(date.getMinutes() + Number(kind.dataset.duration || 30));
    end.value = localValue(date);
  };
  document.addEventListener("change", (event) => {
    if (!form()) return;
    if (event.target.matches("#id_end_at")) endTouched = true;
    if (event.target.matches("#id_start_at, input[name='kind']")) followEnd();
  });
})();
