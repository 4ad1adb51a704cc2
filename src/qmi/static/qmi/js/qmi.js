// Small behaviours shared by every page; no inline script anywhere (CSP).
// Loaded without `defer`, in the head: the "js" class is there before the first paint, so on
// phones the navigation is folded behind "Menu" from the start (see qmi.css) instead of
// folding once the page has been drawn, which would move everything below it.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Buttons asking for confirmation before a destructive action.
  document.querySelectorAll("[data-confirm]").forEach((element) => {
    element.addEventListener("click", (event) => {
      if (!window.confirm(element.dataset.confirm)) event.preventDefault();
    });
  });
});
