// Inbox: "select all" for bulk routing.  The page works without it.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  const boxes = () => document.querySelectorAll('#route-form input[name="ids"]');
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
});
