// Svod: small behaviours of the shell. htmx does the rest.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-svod-toggle='sidebar']");
  if (toggle) {
    document.getElementById("sidebar").classList.toggle("open");
  }
  const search = document.getElementById("search-dropdown");
  if (search && !event.target.closest(".app-search")) {
    search.innerHTML = "";
  }
});

// Server errors on htmx requests are shown, not swallowed.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const text = status === 403 ? "Недостаточно прав." : status === 404 ? "Не найдено." : "Ошибка сервера, попробуйте ещё раз.";
  const box = document.createElement("div");
  box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3 shadow";
  box.setAttribute("role", "alert");
  box.textContent = text;
  document.body.appendChild(box);
  setTimeout(() => box.remove(), 5000);
});

// Tabs loaded with htmx: the clicked tab becomes the active one.
document.addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tab]");
  if (!tab) return;
  event.preventDefault();
  tab.closest(".nav").querySelectorAll("[data-tab]").forEach((el) => el.classList.remove("active"));
  tab.classList.add("active");
});

// Links that act on the list as it is filtered now (export): they take the address bar's query
// string, which the htmx filters keep up to date, without the page number.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-svod-keep-query]");
  if (!link) return;
  const url = new URL(link.href, window.location.href);
  const params = new URLSearchParams(window.location.search);
  params.delete("page");
  url.search = params.toString();
  link.href = url.toString();
});

// The bell polls every 15 s; when the unread count grows, a small toast shows the newest
// notification (the first load after opening a page only remembers the count).
let bellUnread = null;
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "bell") return;
  const box = event.detail.target.querySelector("[data-unread]");
  if (!box) return;
  const unread = Number(box.dataset.unread) || 0;
  if (bellUnread !== null && unread > bellUnread && box.dataset.latest) {
    const toast = document.createElement(box.dataset.latestUrl ? "a" : "div");
    toast.className = "svod-toast alert alert-info shadow d-flex align-items-center gap-2";
    toast.setAttribute("role", "status");
    if (box.dataset.latestUrl) toast.href = box.dataset.latestUrl;
    const icon = document.createElement("i");
    icon.className = "bi bi-bell-fill";
    const text = document.createElement("span");
    text.textContent = box.dataset.latest;
    toast.append(icon, text);
    document.body.appendChild(toast);
    setTimeout(() => toast.remove(), 8000);
  }
  bellUnread = unread;
});

// Copy buttons: data-svod-copy="#input" copies that field's value.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-svod-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.svodCopy);
  if (!field) return;
  field.select();
  const done = () => {
    button.classList.add("btn-success");
    setTimeout(() => button.classList.remove("btn-success"), 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done);
  } else {
    document.execCommand("copy");
    done();
  }
});
