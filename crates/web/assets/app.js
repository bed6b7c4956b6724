// devpath: small progressive enhancements. Every page works without it.
(function () {
  "use strict";
  var root = document.documentElement;

  function effectiveTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.querySelectorAll("[data-theme-toggle]").forEach(function (btn) {
    function sync() { btn.setAttribute("aria-pressed", effectiveTheme() === "dark" ? "true" : "false"); }
    sync();
    btn.addEventListener("click", function () {
      var next = effectiveTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("devpath-theme", next); } catch (e) { /* ignore */ }
      sync();
    });
  });

  // Highlight the table-of-contents entry for the section being read.
  var toc = document.querySelector(".toc");
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    toc.querySelectorAll("a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && links[e.target.id]) {
          toc.querySelectorAll("a.active").forEach(function (a) { a.classList.remove("active"); a.removeAttribute("aria-current"); });
          links[e.target.id].classList.add("active");
          links[e.target.id].setAttribute("aria-current", "location");
        }
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(links).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) observer.observe(el);
    });
  }

  // Copy buttons on code blocks.
  if (navigator.clipboard) {
    document.querySelectorAll("pre.code").forEach(function (pre) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "copy-button";
      b.textContent = "Copy";
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText).then(function () {
          b.textContent = "Copied";
          setTimeout(function () { b.textContent = "Copy"; }, 1500);
        });
      });
      pre.appendChild(b);
    });
  }
})();
