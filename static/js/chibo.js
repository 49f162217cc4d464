/* chibo: the little the pages do in the browser, from a file (no inline
   script, so a "self only" Content-Security-Policy holds). Everything works
   without it: the menu is then simply shown open. */
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-button");
  var bar = document.querySelector(".topbar");
  if (!button || !bar) return;
  button.addEventListener("click", function () {
    var open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

/* A choice that applies at once (the unit on the report catalogue); the
   form's own button does the same without JavaScript. */
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
});
