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
