/* Citizen portal: fill the town and village lists when the level above changes (no framework).
   Without JavaScript the "Show ..." buttons send the form back and the server fills the lists. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-places-url]");
  if (!form) return;
  var url = form.getAttribute("data-places-url");
  var county = form.querySelector("#id_county");
  var town = form.querySelector("#id_town");
  var village = form.querySelector("#id_village");

  function reset(select) {
    while (select.options.length > 1) select.remove(1);
    select.value = "";
  }

  function fill(select, parentId) {
    reset(select);
    if (!parentId) return;
    select.setAttribute("aria-busy", "true");
    fetch(url + "?parent=" + encodeURIComponent(parentId), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { options: [] }; })
      .then(function (data) {
        data.options.forEach(function (o) { select.add(new Option(o.name, o.id)); });
      })
      .catch(function () { /* the list stays empty; the Show button still works after a reload */ })
      .then(function () { select.removeAttribute("aria-busy"); });
  }

  if (county && town) county.addEventListener("change", function () { fill(town, county.value); if (village) reset(village); });
  if (town && village) town.addEventListener("change", function () { fill(village, town.value); });

  var focus = form.getAttribute("data-focus");
  var target = focus && document.getElementById(focus);
  if (target) target.focus();
})();
