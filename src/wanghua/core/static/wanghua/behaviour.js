// The page behaviours that were inline handlers, as data attributes: the Content-Security-Policy allows
// scripts from our own origin only, so no page carries inline JavaScript.
//   data-submit-on-change   a <select> that submits its form when changed (language, month, region)
//   data-print              a button that prints the page
//   data-busy="ID"          a form that shows the element ID while it is submitted
//   data-back               a link that goes back in history (its href is the fallback)
//   data-expanded-icon="X"  a button whose <i> becomes icon class X once clicked (tree nodes)
//   data-confirm="TEXT"     a form that is submitted only once the user confirms TEXT (强退, 停用, 重置密码)
(() => {
  "use strict";
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("click", (event) => {
    const printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    const back = event.target.closest("a[data-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    const toggle = event.target.closest("[data-expanded-icon]");
    if (toggle) {
      const icon = toggle.querySelector("i");
      if (icon) icon.className = toggle.dataset.expandedIcon;
    }
  });
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const busy = event.target.dataset && event.target.dataset.busy;
    const shown = busy && document.getElementById(busy);
    if (shown) shown.classList.remove("d-none");
  });
})();
