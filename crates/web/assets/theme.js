// Runs before first paint so a saved theme choice never flashes.
(function () {
  try {
    var t = localStorage.getItem("devpath-theme");
    if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
  } catch (e) { /* storage may be disabled */ }
})();
