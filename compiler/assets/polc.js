// polc 参数页的筛选：在输入框中键入文字，只显示含这些文字的参数行（以及含有这些行的分组）。
// Text is compared as text (textContent); nothing typed is ever written into the page.
(function () {
  function setup() {
    var blocks = document.querySelectorAll(".polc-params");
    blocks.forEach(function (block) {
      if (block.querySelector(".polc-params-filter")) return;
      var input = document.createElement("input");
      input.type = "search";
      input.className = "polc-params-filter";
      input.placeholder = "筛选参数：名称、取值、说明或条款";
      input.setAttribute("aria-label", "筛选参数");
      block.insertBefore(input, block.firstChild);
      input.addEventListener("input", function () {
        var words = input.value.trim().split(/\s+/).filter(Boolean);
        block.querySelectorAll("table").forEach(function (table) {
          var shown = 0;
          table.querySelectorAll("tbody tr").forEach(function (row) {
            var text = row.textContent;
            var match = words.every(function (w) { return text.indexOf(w) >= 0; });
            row.classList.toggle("polc-hidden", !match);
            if (match) shown += 1;
          });
          var wrapper = table.closest(".md-typeset__scrollwrap") || table.closest(".md-typeset__table") || table;
          wrapper.classList.toggle("polc-hidden", shown === 0);
          var heading = wrapper.previousElementSibling;
          if (heading && /^H[2-3]$/.test(heading.tagName)) heading.classList.toggle("polc-hidden", shown === 0);
        });
      });
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(setup);  // mkdocs-material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
